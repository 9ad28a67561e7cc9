/**
 * Replacing the program (fs/exec.c): execve and execveat.
 *
 * exec cannot destroy the caller's address space until it knows the new program can run, so it
 * builds the new one on the side: `bprm_mm_init` makes a temporary mm with a one-page stack at the
 * top of user space (flagged VM_STACK_INCOMPLETE_SETUP), the filename, environment and arguments
 * are copied into it, and a binary format handler (`binfmt_script`, `binfmt_elf`) checks the file.
 * Only then does `begin_new_exec` pass the point of no return: other threads die, `exec_mmap`
 * swaps in the new mm (waking a vfork parent), close-on-exec files close, handlers reset.
 * An error before that point returns to the caller; after it, the task dies of SIGSEGV.
 */
import { USER_VA_END } from '../cpu/sv39';
import { linux_binprm } from './binfmts';
import { load_script } from './binfmt_script';
import { load_elf_binary } from './binfmt_elf';
import { E2BIG, EFAULT, ELOOP, ENAMETOOLONG, ENOEXEC, ENOMEM } from './errno';
import { mm_release, release_task } from './exit';
import { do_close_on_exec } from './fs/file';
import { open_execat } from './fs/kernel_read_file';
import { AT_FDCWD } from './fs/uapi';
import { current, kernel, kfunc, klocals, type KGen } from './kfunc';
import { mm_alloc, mmput } from './mm/fork';
import { vm_area_struct, type mm_struct } from './mm/mm_types';
import { expand_downwards, insert_vm_struct, relocate_vma_down } from './mm/mmap';
import { access_remote_vm, copy_from_user, strncpy_from_user } from './mm/uaccess';
import { VM_STACK_FLAGS, VM_STACK_INCOMPLETE_SETUP } from './mm/vm_flags';
import { force_fatal_sig, set_current_blocked } from './signal';
import { SIGCHLD, SIGKILL, SIGNAL_GROUP_EXIT, SIG_DFL, SIG_IGN, SIGSEGV, RLIMIT_STACK, sigmask } from './signal_types';
import { schedule } from './sched/core';
import type { SyscallEntry } from './syscall';
import { EXIT_DEAD, PF_FORKNOEXEC, PF_RANDOMIZE, type Task, TASK_KILLABLE, TASK_RUNNING } from './task';
import { trace } from './trace';
import { signal_wake_up } from './signal';

/** The top of the temporary stack: the top of the Sv39 user address space (STACK_TOP_MAX). */
export const STACK_TOP_MAX = USER_VA_END;
export const MAX_ARG_STRLEN = 32 * 4096;
export const MAX_ARG_STRINGS = 0x7fffffff;
/** ARG_MAX's floor (_STK_LIM / 4 * 3 cap and 128 KiB minimum, bprm_stack_limits). */
const ARG_MIN = 128 * 1024;

/** bprm_mm_init / __bprm_mm_init: the temporary mm and its one-page stack VMA. */
const bprm_mm_init = kfunc('fs/exec.c', function* bprm_mm_init(bprm: linux_binprm): KGen<number> {
  const mm = mm_alloc();
  if (mm === null) return -ENOMEM;
  bprm.mm = mm;
  const vma = new vm_area_struct(mm, STACK_TOP_MAX - 4096, STACK_TOP_MAX, VM_STACK_FLAGS | VM_STACK_INCOMPLETE_SETUP);
  const err = insert_vm_struct(mm, vma);
  if (err < 0) return err;
  mm.stack_vm = mm.total_vm = 1;
  bprm.vma = vma;
  bprm.p = vma.vm_end - 8;
  klocals({ mm: mm.id, vma: `[0x${vma.vm_start.toString(16)}, 0x${vma.vm_end.toString(16)})`, vm_flags: '0x' + vma.vm_flags.toString(16) });
  trace('exec_bprm_mm_init', current(), { mm: mm.id, stack_start: '0x' + vma.vm_start.toString(16), stack_end: '0x' + vma.vm_end.toString(16), vm_flags: '0x' + vma.vm_flags.toString(16) });
  return 0;
});

/** alloc_bprm: open the file for exec and set up the temporary mm. */
const alloc_bprm = kfunc('fs/exec.c', function* alloc_bprm(fd: number, filename: string, flags: number): KGen<linux_binprm | number> {
  const f = yield* open_execat(fd, filename, flags);
  if (typeof f === 'number') return f;
  const bprm = new linux_binprm(f, filename);
  const r = yield* bprm_mm_init(bprm);
  if (r < 0) {
    yield* free_bprm(bprm);
    return r;
  }
  return bprm;
});

/** free_bprm: an exec that failed before exec_mmap throws its temporary mm away. */
const free_bprm = kfunc('fs/exec.c', function* free_bprm(bprm: linux_binprm): KGen<void> {
  if (bprm.mm !== null) {
    mmput(bprm.mm);
    bprm.mm = null;
  }
});

/** bprm_stack_limits: strings may use a quarter of RLIMIT_STACK (at most 6 MiB, at least 128 KiB). */
const bprm_stack_limits = kfunc('fs/exec.c', function* bprm_stack_limits(bprm: linux_binprm): KGen<number> {
  const rlim = current().signal!.rlim[RLIMIT_STACK]?.rlim_cur ?? 8 * 1024 * 1024;
  let limit = Math.min(6 * 1024 * 1024, Math.floor(rlim / 4));
  limit = Math.max(limit, ARG_MIN);
  // The pointers themselves (argv[], envp[], and their NULLs) take room too.
  const ptr_size = (Math.max(bprm.argc, 1) + bprm.envc) * 8;
  if (limit <= ptr_size) return -E2BIG;
  limit -= ptr_size;
  bprm.argmin = bprm.p - limit;
  return 0;
});

/** get_arg_page: make sure the stack VMA of the new mm covers `pos` (expand_downwards). */
function get_arg_page(bprm: linux_binprm, pos: number): number {
  const vma = bprm.vma!;
  if (pos < vma.vm_start) return expand_downwards(vma, Math.floor(pos / 4096) * 4096);
  return 0;
}

/** One NUL-terminated string onto the new stack, downwards (copy_strings' inner step). */
function* put_arg_string(bprm: linux_binprm, s: Uint8Array): KGen<number> {
  const len = s.length + 1;
  if (len > MAX_ARG_STRLEN) return -E2BIG;
  const pos = bprm.p - len;
  if (pos < bprm.argmin) return -E2BIG;
  const err = get_arg_page(bprm, pos);
  if (err < 0) return err;
  const buf = new Uint8Array(len);
  buf.set(s);
  const n = yield* access_remote_vm(bprm.mm!, pos, buf, true);
  if (n !== len) return -EFAULT;
  bprm.p = pos;
  return 0;
}

/** copy_string_kernel: a kernel string onto the new stack (the filename; a script's interpreter). */
export const copy_string_kernel = kfunc('fs/exec.c', function* copy_string_kernel(str: string, bprm: linux_binprm): KGen<number> {
  return yield* put_arg_string(bprm, new TextEncoder().encode(str));
});

/** copy_strings: an argv or envp array onto the new stack, from its last string to its first. */
const copy_strings = kfunc('fs/exec.c', function* copy_strings(strings: Uint8Array[], bprm: linux_binprm): KGen<number> {
  klocals({ count: strings.length, p: '0x' + bprm.p.toString(16) });
  for (let i = strings.length - 1; i >= 0; i--) {
    const r = yield* put_arg_string(bprm, strings[i]);
    if (r < 0) return r;
  }
  return 0;
});

/** remove_arg_zero: drop argv[0] (the lowest string) so a script's path can replace it. */
export const remove_arg_zero = kfunc('fs/exec.c', function* remove_arg_zero(bprm: linux_binprm): KGen<number> {
  if (bprm.argc === 0) return 0;
  const first = new TextEncoder().encode(bprm.argv[0] ?? '');
  bprm.p += first.length + 1;
  bprm.argc--;
  return 0;
});

/** Reads a user string array (argv or envp): the pointers, then each string. */
function* read_user_strings(uptr: number, what: string): KGen<Uint8Array[] | number> {
  const out: Uint8Array[] = [];
  if (uptr === 0) return out;
  const word = new Uint8Array(8);
  for (let i = 0; ; i++) {
    if (i >= MAX_ARG_STRINGS) return -E2BIG;
    if ((yield* copy_from_user(word, uptr + i * 8)) !== 0) return -EFAULT;
    const p = Number(new DataView(word.buffer).getBigUint64(0, true));
    if (p === 0) break;
    const s = yield* strncpy_from_user(p, MAX_ARG_STRLEN);
    if (typeof s === 'number') return s === -ENAMETOOLONG ? -E2BIG : s;
    out.push(new TextEncoder().encode(s));
    // A huge argv is refused as soon as it cannot fit (bprm_stack_limits' early check).
    if (out.length * 8 > 6 * 1024 * 1024) return -E2BIG;
  }
  klocals({ [what]: out.length });
  return out;
}

/**
 * do_execveat_common: the whole of execve. `argv`/`envp` are either user pointers (a system
 * call) or strings from the kernel (init starting the first program: kernel_execve).
 */
export const do_execveat_common = kfunc('fs/exec.c', function* do_execveat_common(
  fd: number, filename: string, argv: Uint8Array[], envp: Uint8Array[], flags: number,
): KGen<number> {
  const t = current();
  klocals({ filename, argc: argv.length, envc: envp.length });
  const b = yield* alloc_bprm(fd, filename, flags);
  if (typeof b === 'number') return b;
  const bprm = b;
  bprm.argc = argv.length;
  bprm.envc = envp.length;
  bprm.argv = argv.map((a) => new TextDecoder().decode(a));
  bprm.envp = envp.map((a) => new TextDecoder().decode(a));
  let r = yield* bprm_stack_limits(bprm);
  // Order: the filename (AT_EXECFN), then envp, then argv — each array from its last string.
  if (r === 0) r = yield* copy_string_kernel(filename, bprm);
  bprm.exec = bprm.p;
  if (r === 0) r = yield* copy_strings(envp, bprm);
  if (r === 0) r = yield* copy_strings(argv, bprm);
  // A program started with no arguments still gets an empty argv[0].
  if (r === 0 && argv.length === 0) {
    r = yield* copy_string_kernel('', bprm);
    bprm.argc = 1;
    bprm.argv = [''];
  }
  if (r === 0) r = yield* bprm_execve(bprm);
  yield* free_bprm(bprm);
  if (r < 0 && bprm.error_message !== null) kernel().execErrors.set(t, { filename, message: bprm.error_message });
  return r;
});

/** bprm_execve: run the handlers; after the point of no return a failure is fatal. */
const bprm_execve = kfunc('fs/exec.c', function* bprm_execve(bprm: linux_binprm): KGen<number> {
  const r = yield* exec_binprm(bprm);
  if (r < 0 && bprm.point_of_no_return) {
    force_fatal_sig(SIGSEGV);
    return r;
  }
  return r;
});

/** exec_binprm: search_binary_handler, again for each interpreter (`#!`), at most 5 deep. */
const exec_binprm = kfunc('fs/exec.c', function* exec_binprm(bprm: linux_binprm): KGen<number> {
  for (let depth = 0; ; depth++) {
    if (depth > 5) return -ELOOP;
    const r = yield* search_binary_handler(bprm);
    if (r !== 1) {
      if (r === 0) {
        const t = current();
        trace('sched_process_exec', t, { filename: bprm.filename, pid: t.pid, old_pid: t.pid });
      }
      return r;
    }
    // binfmt_script asked for its interpreter to be loaded next.
  }
});

/**
 * search_binary_handler: offer the file to each format; ENOEXEC means "not mine". Returns 0
 * (loaded), 1 (an interpreter must be loaded next), or -errno.
 */
const search_binary_handler = kfunc('fs/exec.c', function* search_binary_handler(bprm: linux_binprm): KGen<number> {
  let r = yield* load_script(bprm);
  if (r !== -ENOEXEC) return r;
  r = yield* load_elf_binary(bprm);
  return r;
});

/** de_thread: the exec'ing thread must be alone in its group — kill the others and wait. */
const de_thread = kfunc('fs/exec.c', function* de_thread(tsk: Task): KGen<number> {
  const sig = tsk.signal!;
  if (sig.nr_threads <= 1) return 0;
  sig.flags = SIGNAL_GROUP_EXIT;
  sig.group_exit_task = tsk;
  for (const th of sig.thread_head) {
    if (th === tsk) continue;
    th.pending.signal |= sigmask(SIGKILL);
    signal_wake_up(th, true);
  }
  // Wait (killably) until every other thread is gone.
  while (sig.thread_head.some((th) => th !== tsk && th.exit_state === 0)) {
    tsk.__state = TASK_KILLABLE;
    yield* schedule();
    tsk.__state = TASK_RUNNING;
  }
  // A thread that is not the leader takes the leader's place: its pid, its parent, its spot among
  // the parent's children (exchange_tids, transfer_pid); the old leader, a zombie by now, is released.
  const leader = tsk.group_leader;
  if (leader !== tsk) {
    const lpid = leader.thread_pid!;
    const tpid = tsk.thread_pid!;
    [leader.pid, tsk.pid] = [tsk.pid, leader.pid];
    leader.thread_pid = tpid;
    tsk.thread_pid = lpid;
    lpid.task = tsk;
    tpid.task = leader;
    tsk.real_parent = leader.real_parent;
    tsk.parent = leader.parent;
    const siblings = tsk.real_parent!.children;
    const at = siblings.indexOf(leader);
    if (at >= 0) siblings[at] = tsk;
    tsk.group_leader = tsk;
    leader.group_leader = tsk;
    tsk.start_time = leader.start_time;
    leader.exit_signal = -1;
    leader.exit_state = EXIT_DEAD;
    yield* release_task(leader);
  }
  sig.flags = 0;
  sig.group_exit_task = null;
  tsk.exit_signal = SIGCHLD;
  return 0;
});

/** exec_mmap: switch the task to the new mm; release the old one (and a vfork parent). */
const exec_mmap = kfunc('fs/exec.c', function* exec_mmap(mm: mm_struct): KGen<number> {
  const tsk = current();
  const old_mm = tsk.mm;
  klocals({ old_mm: old_mm?.id ?? null, new_mm: mm.id });
  // exec_mm_release → mm_release: a vfork parent is woken here (complete_vfork_done).
  yield* mm_release(tsk);
  tsk.mm = mm;
  tsk.active_mm = mm;
  // activate_mm: load the new page tables.
  kernel().switch_mm(mm);
  if (old_mm !== null) mmput(old_mm);
  return 0;
});

/**
 * begin_new_exec: the point of no return. From here on the old program is gone, whatever
 * happens; an error kills the task.
 */
export const begin_new_exec = kfunc('fs/exec.c', function* begin_new_exec(bprm: linux_binprm): KGen<number> {
  const me = current();
  bprm.point_of_no_return = true;
  let r = yield* de_thread(me);
  if (r < 0) return r;
  r = yield* exec_mmap(bprm.mm!);
  if (r < 0) return r;
  bprm.mm = null;
  if (me.files !== null) do_close_on_exec(me.files);
  me.flags &= ~(PF_FORKNOEXEC | PF_RANDOMIZE);
  // flush_thread: the FP state starts clean.
  me.regs.fbits.fill(0);
  me.regs.fflags = 0;
  me.regs.frm = 0;
  me.comm = basename(bprm.filename).slice(0, 15);
  me.cmdline = [...bprm.argv];
  // flush_signal_handlers: caught signals go back to default; ignored ones stay ignored.
  if (me.sighand !== null) {
    for (const a of me.sighand.action) {
      if (a.sa_handler !== SIG_IGN) a.sa_handler = SIG_DFL;
      a.sa_flags = 0;
      a.sa_mask = 0n;
    }
  }
  me.sas_ss_sp = me.sas_ss_size = 0;
  set_current_blocked(me.blocked);
  return 0;
});

/** The last component of a path (what `comm` becomes: __set_task_comm with kbasename). */
function basename(p: string): string {
  const i = p.lastIndexOf('/');
  return i >= 0 ? p.slice(i + 1) : p;
}

/** setup_arg_pages: move the stack to its final place, clear the flag, add 128 KiB. */
export const setup_arg_pages = kfunc('fs/exec.c', function* setup_arg_pages(bprm: linux_binprm, stack_top: number, executable_stack: boolean): KGen<number> {
  const mm = current().mm!;
  const vma = bprm.vma!;
  const stack_shift = vma.vm_end - stack_top;
  klocals({ stack_shift, vm_start: '0x' + vma.vm_start.toString(16), vm_flags: '0x' + vma.vm_flags.toString(16) });
  if (stack_shift !== 0) {
    const r = relocate_vma_down(vma, stack_shift);
    if (r < 0) return r;
    bprm.p -= stack_shift;
    bprm.exec -= stack_shift;
  }
  mm.arg_start = bprm.p;
  if (executable_stack) vma.vm_flags |= 0x4;
  // The stack is final: the flag goes, and it grows by 128 KiB (bounded by RLIMIT_STACK).
  vma.vm_flags &= ~VM_STACK_INCOMPLETE_SETUP;
  trace('exec_setup_arg_pages', current(), { stack_start: '0x' + vma.vm_start.toString(16), vm_flags: '0x' + vma.vm_flags.toString(16) });
  const rlim = current().signal!.rlim[RLIMIT_STACK]?.rlim_cur ?? 8 * 1024 * 1024;
  const stack_size = vma.vm_end - vma.vm_start;
  const stack_expand = 131072;
  const grow = Math.min(rlim, stack_size + stack_expand);
  const stack_base = vma.vm_end - grow;
  if (stack_base < vma.vm_start) {
    const r = expand_downwards(vma, Math.floor(stack_base / 4096) * 4096);
    if (r < 0) return -EFAULT;
  }
  mm.start_stack = bprm.p;
  return 0;
});

/** do_execveat: the user's filename, argv and envp read in, then the common path. */
function* do_execveat(dfd: number, ufilename: number, uargv: number, uenvp: number, flags: number): KGen<number> {
  const filename = yield* strncpy_from_user(ufilename, 4096);
  if (typeof filename === 'number') return filename;
  const argv = yield* read_user_strings(uargv, 'argc');
  if (typeof argv === 'number') return argv;
  const envp = yield* read_user_strings(uenvp, 'envc');
  if (typeof envp === 'number') return envp;
  return yield* do_execveat_common(dfd, filename, argv, envp, flags);
}

/** execve(filename, argv, envp). */
const sys_execve = kfunc('fs/exec.c', function* sys_execve(ufilename: number, uargv: number, uenvp: number): KGen<number> {
  return yield* do_execveat(AT_FDCWD, ufilename, uargv, uenvp, 0);
});

/** execveat(dirfd, filename, argv, envp, flags): relative to a directory fd, or the fd itself (AT_EMPTY_PATH). */
const sys_execveat = kfunc('fs/exec.c', function* sys_execveat(dfd: number, ufilename: number, uargv: number, uenvp: number, flags: number): KGen<number> {
  return yield* do_execveat(dfd | 0, ufilename, uargv, uenvp, flags);
});

export const exec_syscalls: SyscallEntry[] = [
  { nr: 221, name: 'execve', fn: sys_execve, args: [['filename', 'str'], ['argv', 'ptr'], ['envp', 'ptr']] },
  { nr: 281, name: 'execveat', fn: sys_execveat, args: [['dfd', 'int'], ['filename', 'str'], ['argv', 'ptr'], ['envp', 'ptr'], ['flags', 'hex']] },
];

