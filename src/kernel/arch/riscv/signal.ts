/**
 * Signal frames on RISC-V (arch/riscv/kernel/signal.c).
 *
 * To run a handler, the kernel saves the interrupted user state in a `struct rt_sigframe` on the
 * user stack — siginfo (128 bytes) then a ucontext (960 bytes: flags, link, the alternate-stack
 * description, the blocked mask, padding to 128 bytes, and at offset 176 the mcontext: pc, x1–x31,
 * f0–f31 and fcsr) — and starts the handler with a0 = signal, a1 = &info, a2 = &uc, ra = the
 * sigreturn trampoline. The handler's return runs `rt_sigreturn`, which restores everything from
 * the frame. A system call interrupted by the signal is restarted or fails with EINTR here.
 */
import { REG_A0, REG_RA, REG_SP } from '../../../cpu/state';
import { EFAULT, EINTR, ERESTARTNOHAND, ERESTARTNOINTR, ERESTARTSYS, ERESTART_RESTARTBLOCK } from '../../errno';
import { current, kfunc, klocals, type KGen } from '../../kfunc';
import { copy_from_user, copy_to_user } from '../../mm/uaccess';
import { force_sig, get_signal, set_current_blocked, type ksignal } from '../../signal';
import { SA_NODEFER, SA_ONSTACK, SA_RESTART, SA_SIGINFO, SIGSEGV, sigmask, type kernel_siginfo } from '../../signal_types';
import type { SyscallEntry } from '../../syscall';
import type { Task } from '../../task';
import { lastCause, orig_a0 } from './traps';
import { VDSO_RT_SIGRETURN_OFFSET } from './vdso';
import { CAUSE_USER_ECALL } from '../../../cpu/trap';

const SIGINFO_SIZE = 128;
const UCONTEXT_SIZE = 960;
const RT_SIGFRAME_SIZE = SIGINFO_SIZE + UCONTEXT_SIZE;
const UC_STACK = 16;
const UC_SIGMASK = 40;
const UC_MCONTEXT = 176;
const MC_FPREGS = UC_MCONTEXT + 256;
const SS_ONSTACK = 1;
const SS_DISABLE = 2;
const __NR_restart_syscall = 128;

/** Where the signal trampoline (`li a7, 139; ecall`) lives in every mm: the vDSO page. */
export function sigreturn_trampoline(t: Task): number {
  return t.mm !== null && t.mm.vdso_base !== 0 ? t.mm.vdso_base + VDSO_RT_SIGRETURN_OFFSET : 0;
}

/** copy_siginfo_to_user: the 128-byte siginfo layout of asm-generic/siginfo.h. */
export function siginfo_bytes(info: kernel_siginfo): Uint8Array {
  const b = new Uint8Array(SIGINFO_SIZE);
  const v = new DataView(b.buffer);
  v.setInt32(0, info.si_signo, true);
  v.setInt32(4, info.si_errno, true);
  v.setInt32(8, info.si_code, true);
  if (info.si_addr !== undefined) {
    v.setBigUint64(16, BigInt.asUintN(64, info.si_addr), true);
  } else {
    v.setInt32(16, info.si_pid ?? 0, true);
    v.setInt32(20, info.si_uid ?? 0, true);
    if (info.si_status !== undefined) {
      v.setInt32(24, info.si_status, true);
      v.setBigInt64(32, BigInt(Math.floor((info.si_utime ?? 0) / 1e7)), true);
      v.setBigInt64(40, BigInt(Math.floor((info.si_stime ?? 0) / 1e7)), true);
    }
  }
  return b;
}

function on_sig_stack(t: Task, sp: number): boolean {
  return t.sas_ss_size !== 0 && sp > t.sas_ss_sp && sp - t.sas_ss_sp <= t.sas_ss_size;
}

/** get_sigframe: below the red zone of the current stack, or on the alternate stack. */
function get_sigframe(t: Task, ka: ksignal['ka']): number {
  let sp = t.regs.getRegNum(REG_SP);
  if ((ka.sa_flags & SA_ONSTACK) !== 0 && t.sas_ss_size !== 0 && !on_sig_stack(t, sp)) sp = t.sas_ss_sp + t.sas_ss_size;
  return Math.floor((sp - RT_SIGFRAME_SIZE) / 16) * 16;
}

function ucontext_bytes(t: Task, sp: number, blocked: bigint): Uint8Array {
  const b = new Uint8Array(UCONTEXT_SIZE);
  const v = new DataView(b.buffer);
  v.setBigUint64(UC_STACK, BigInt(t.sas_ss_sp), true);
  v.setInt32(UC_STACK + 8, t.sas_ss_size === 0 ? SS_DISABLE : on_sig_stack(t, sp) ? SS_ONSTACK : 0, true);
  v.setBigUint64(UC_STACK + 16, BigInt(t.sas_ss_size), true);
  v.setBigUint64(UC_SIGMASK, blocked, true);
  const r = t.regs;
  v.setBigUint64(UC_MCONTEXT, BigInt(r.pc), true);
  for (let i = 1; i < 32; i++) {
    v.setInt32(UC_MCONTEXT + i * 8, r.x[2 * i], true);
    v.setInt32(UC_MCONTEXT + i * 8 + 4, r.x[2 * i + 1], true);
  }
  for (let i = 0; i < 32; i++) {
    v.setInt32(MC_FPREGS + i * 8, r.fbits[2 * i], true);
    v.setInt32(MC_FPREGS + i * 8 + 4, r.fbits[2 * i + 1], true);
  }
  v.setUint32(MC_FPREGS + 256, (r.frm << 5) | r.fflags, true);
  return b;
}

/** setup_rt_frame: build the frame and point the registers at the handler. */
const setup_rt_frame = kfunc('arch/riscv/kernel/signal.c', function* setup_rt_frame(ksig: ksignal, oldset: bigint): KGen<boolean> {
  const t = current();
  const frame = get_sigframe(t, ksig.ka);
  klocals({ sig: ksig.sig, frame: '0x' + frame.toString(16) });
  const sp = t.regs.getRegNum(REG_SP);
  if ((yield* copy_to_user(frame, siginfo_bytes(ksig.info))) !== 0) return false;
  if ((yield* copy_to_user(frame + SIGINFO_SIZE, ucontext_bytes(t, sp, oldset))) !== 0) return false;
  const r = t.regs;
  r.setRegNum(REG_RA, sigreturn_trampoline(t));
  r.pc = ksig.ka.sa_handler;
  r.setRegNum(REG_SP, frame);
  r.setRegNum(REG_A0, ksig.sig);
  r.setRegNum(REG_A0 + 1, (ksig.ka.sa_flags & SA_SIGINFO) !== 0 ? frame : 0);
  r.setRegNum(REG_A0 + 2, (ksig.ka.sa_flags & SA_SIGINFO) !== 0 ? frame + SIGINFO_SIZE : 0);
  return true;
});

/**
 * arch_do_signal_or_restart: deliver one signal (or decide a restart). Returns true when a
 * handler frame was set up (the caller loops: more signals may be pending).
 */
export const arch_do_signal_or_restart = kfunc('arch/riscv/kernel/signal.c', function* arch_do_signal_or_restart(
  inSyscall: boolean,
): KGen<boolean> {
  const t = current();
  const r = t.regs;
  const wasSyscall = inSyscall && lastCause.get(t) === CAUSE_USER_ECALL;
  const retval = r.getRegNum(REG_A0);
  const ksig = yield* get_signal();
  if (wasSyscall) lastCause.delete(t);
  if (ksig !== null) {
    if (wasSyscall) {
      // A handler interrupts the call: only ERESTARTSYS with SA_RESTART, and ERESTARTNOINTR, restart.
      if (retval === -ERESTART_RESTARTBLOCK || retval === -ERESTARTNOHAND ||
        (retval === -ERESTARTSYS && (ksig.ka.sa_flags & SA_RESTART) === 0)) {
        r.setRegNum(REG_A0, -EINTR);
      } else if (retval === -ERESTARTSYS || retval === -ERESTARTNOINTR) {
        restart_syscall(t);
      }
    }
    const oldset = t.saved_sigmask ?? t.blocked;
    t.saved_sigmask = null;
    if (!(yield* setup_rt_frame(ksig, oldset))) {
      force_sig(SIGSEGV);
      return true;
    }
    let blocked = t.blocked | ksig.ka.sa_mask;
    if ((ksig.ka.sa_flags & SA_NODEFER) === 0) blocked |= sigmask(ksig.sig);
    set_current_blocked(blocked);
    return true;
  }
  if (wasSyscall) {
    // No handler ran: every kind of restart restarts (RESTARTBLOCK through restart_syscall).
    if (retval === -ERESTARTNOHAND || retval === -ERESTARTSYS || retval === -ERESTARTNOINTR) restart_syscall(t);
    else if (retval === -ERESTART_RESTARTBLOCK) {
      restart_syscall(t);
      r.setRegNum(17, __NR_restart_syscall);
    }
  }
  // sigsuspend's temporary mask is dropped once no handler needs it.
  if (t.saved_sigmask !== null) {
    set_current_blocked(t.saved_sigmask);
    t.saved_sigmask = null;
  }
  return false;
});

/** Rewind to the `ecall` with the original first argument, so the call runs again. */
function restart_syscall(t: Task): void {
  t.regs.pc -= 4;
  t.regs.setReg(REG_A0, orig_a0.get(t) ?? 0n);
}

/** rt_sigreturn: restore the state saved by setup_rt_frame (bad frame → SIGSEGV). */
export const sys_rt_sigreturn = kfunc('arch/riscv/kernel/signal.c', function* sys_rt_sigreturn(): KGen<number> {
  const t = current();
  const frame = t.regs.getRegNum(REG_SP);
  const uc = new Uint8Array(UCONTEXT_SIZE);
  if ((yield* copy_from_user(uc, frame + SIGINFO_SIZE)) !== 0) {
    force_sig(SIGSEGV);
    return -EFAULT;
  }
  const v = new DataView(uc.buffer);
  set_current_blocked(v.getBigUint64(UC_SIGMASK, true));
  const r = t.regs;
  r.pc = Number(v.getBigUint64(UC_MCONTEXT, true));
  for (let i = 1; i < 32; i++) {
    r.x[2 * i] = v.getInt32(UC_MCONTEXT + i * 8, true);
    r.x[2 * i + 1] = v.getInt32(UC_MCONTEXT + i * 8 + 4, true);
  }
  for (let i = 0; i < 32; i++) {
    r.fbits[2 * i] = v.getInt32(MC_FPREGS + i * 8, true);
    r.fbits[2 * i + 1] = v.getInt32(MC_FPREGS + i * 8 + 4, true);
  }
  const fcsr = v.getUint32(MC_FPREGS + 256, true);
  r.fflags = fcsr & 0x1f;
  r.frm = (fcsr >> 5) & 7;
  // restore_altstack: the handler may have changed the alternate stack through uc_stack.
  const ss_flags = v.getInt32(UC_STACK + 8, true);
  if ((ss_flags & SS_DISABLE) !== 0) {
    t.sas_ss_sp = 0;
    t.sas_ss_size = 0;
  }
  // Returning from a handler must not look like a syscall return to the restart logic.
  lastCause.delete(t);
  return 0;
});

export const arch_signal_syscalls: SyscallEntry[] = [
  { nr: 139, name: 'rt_sigreturn', fn: sys_rt_sigreturn, args: [], noReturnValue: true },
];
