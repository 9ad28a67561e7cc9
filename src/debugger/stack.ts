/**
 * A task's call stack as a student should see it: while the task is in the kernel, its kernel
 * frames on top (Linux names, and our own TypeScript file and line, which the editor can open),
 * then one frame marking where user mode entered the kernel (the system call, the fault), then
 * the user frames, unwound with the program's CFI and expanded into inlined calls by DWARF.
 */
import { join, sep } from 'node:path';
import { lookupPc, type Frame, type InlineFrame, type MemoryReader, type RegisterFile, type UnwoundFrame } from '../dwarf';
import type { Kernel } from '../kernel/kernel';
import type { KFrame } from '../kernel/kfunc';
import { sigreturn_trampoline } from '../kernel/arch/riscv/signal';
import { PF_KTHREAD, type Task } from '../kernel/task';
import { frameName, functionStart } from './code_names';
import type { ImageStore, Module } from './images';
import { dwarfReader } from './memory';
import { kernelFunctions } from './kernel_functions';
import { returnsAfterCall, unwindByPrologue } from './prologue';
import { originalPosition } from './sourcemap';
import { SOURCE_ROOT } from './source_root';

export interface StackFrame {
  readonly kind: 'kernel' | 'boundary' | 'user';
  readonly name: string;
  /** Host path of the source file, when known. */
  readonly file?: string;
  readonly line: number;
  readonly column: number;
  /** User frames: the run-time pc (a return address in outer frames). */
  readonly pc?: number;
  /** Kernel frames: the shadow frame with the function's locals. */
  readonly kframe?: KFrame;
  /** User frames: what DWARF needs to find the frame's variables. */
  readonly user?: UserFrame;
  /** User frames outside every image (the sigreturn trampoline): the registers unwound there. */
  readonly regs?: RegisterFile;
}

export interface UserFrame {
  readonly module: Module;
  /** The physical frames of the stack in link-time addresses of `module`, and this one's index. */
  readonly frames: readonly Frame[];
  readonly index: number;
  readonly inline: InlineFrame | undefined;
}

/** Deepest user stack we unwind (a runaway recursion still shows its top). */
const MAX_USER_FRAMES = 512;

/**
 * Where the interrupted registers are in a `struct rt_sigframe` (the riscv signal ABI, which
 * kernel/arch/riscv/signal.ts lays out): after the 128-byte siginfo, the ucontext's mcontext at
 * offset 176 holds pc, x1–x31, then f0–f31.
 */
const SIGFRAME_MCONTEXT = 128 + 176;
const MCONTEXT_FPREGS = 256;

/** The frame shown for the sigreturn trampoline, named as gdb names it. */
const SIGNAL_FRAME_NAME = '<signal handler called>';

/** The integer and FP registers of a task as a DWARF register file. */
export function registerFile(t: Task): RegisterFile {
  const regs: bigint[] = [];
  for (let i = 0; i < 32; i++) regs.push(t.regs.getReg(i));
  for (let i = 0; i < 32; i++) {
    const lo = BigInt(t.regs.fbits[2 * i] >>> 0), hi = BigInt(t.regs.fbits[2 * i + 1] >>> 0);
    regs.push((hi << 32n) | lo);
  }
  return regs;
}

/** Our TypeScript file and line of a kernel frame (through the bundle's source map if need be). */
export function kernelFramePosition(f: KFrame): { file: string; line: number } | undefined {
  if (f.file === null) return undefined;
  const at = f.file.endsWith('.js') ? originalPosition(f.file, f.line)
    : f.file.startsWith('/') ? { file: f.file, line: f.line }
      : SOURCE_ROOT === undefined ? undefined : { file: join(SOURCE_ROOT, f.file), line: f.line };
  // Stopped on entry, the function has not started: the innermost code is kfunc's wrapper.
  // Show the function's own first line instead.
  if (at === undefined || at.file.endsWith(`${sep}kernel${sep}kfunc.ts`)) return kernelFunctions().declared.get(f.fn) ?? at;
  return at;
}

export function taskStack(k: Kernel, images: ImageStore, t: Task): StackFrame[] {
  const out: StackFrame[] = [];
  for (let i = t.kstack.length - 1; i >= 0; i--) {
    const f = t.kstack[i];
    const at = kernelFramePosition(f);
    out.push({ kind: 'kernel', name: f.fn, file: at?.file, line: at?.line ?? 0, column: 1, kframe: f });
  }
  if ((t.flags & PF_KTHREAD) !== 0 || t.mm === null) return out;
  const boundary = boundaryName(t);
  if (boundary !== null) out.push({ kind: 'boundary', name: boundary, line: 0, column: 0 });
  out.push(...userStack(k, images, t));
  return out;
}

/** The frame between kernel and user frames: how this task entered the kernel. */
function boundaryName(t: Task): string | null {
  const outer = t.kstack[0];
  if (outer === undefined) return t.kgen !== null ? '[new task: returns to user mode through ret_from_fork]' : null;
  if (outer.fn === 'do_trap_ecall_u') {
    const l = outer.locals ?? {};
    return `[system call ${String(l.name ?? '?')} (a7=${String(l.nr ?? '?')}) from user mode]`;
  }
  if (outer.fn === 'do_trap_page_fault') return '[page fault from user mode]';
  if (outer.fn === 'ret_from_fork') return '[new task: returns to user mode]';
  return `[${outer.fn} from user mode]`;
}

function userStack(k: Kernel, images: ImageStore, t: Task): StackFrame[] {
  const mm = t.mm;
  if (mm === null) return [];
  const mem = dwarfReader(k, t);
  const out: StackFrame[] = [];
  const modules = images.modules(mm);
  let frame: Frame = { pc: t.regs.pc, regs: registerFile(t), returnAddress: false };
  const linkFrames: Frame[] = [];
  const pending: { module: Module | undefined; index: number; inline: InlineFrame[]; pc: number; regs: RegisterFile }[] = [];
  for (let n = 0; n < MAX_USER_FRAMES; n++) {
    const pc = frame.pc;
    const module = modules.find((m) => pc >= m.start && pc < m.end);
    if (module === undefined) {
      // Code outside every ELF mapping: the vDSO's sigreturn trampoline (a handler's return
      // address), whose caller is the code the signal interrupted; or a wild pc.
      pending.push({ module, index: -1, inline: [], pc, regs: frame.regs });
      const interrupted = pc === sigreturn_trampoline(t) ? interruptedFrame(frame, mem) : undefined;
      if (interrupted === undefined) break;
      frame = interrupted;
      continue;
    }
    const linkFrame: Frame = { ...frame, pc: pc - module.bias };
    linkFrames.push(linkFrame);
    const dwarf = module.image.dwarf;
    pending.push({ module, index: linkFrames.length - 1, inline: dwarf?.inlineFrames(lookupPc(linkFrame)) ?? [], pc, regs: frame.regs });
    let caller: Frame | undefined = dwarf?.unwind(linkFrame, mem);
    if (caller === undefined || (caller as UnwoundFrame).method !== 'cfi') {
      // No CFI here: read the function's prologue before trusting a leaf convention. Where the
      // function's start is only guessed, a caller is believed only if it returns after a call.
      const fn = functionStart(module, lookupPc(linkFrame));
      const byPrologue = fn === undefined ? undefined : unwindByPrologue(frame, fn.start + module.bias, mem);
      if (byPrologue !== undefined && (!fn?.guessed || returnsAfterCall(byPrologue.pc, mem))) caller = byPrologue;
    }
    if (caller === undefined || caller.pc === 0 || caller.pc === pc) break;
    frame = { pc: caller.pc, regs: caller.regs, returnAddress: true };
  }
  // Frames are built once the whole physical stack is known: variables of a frame may need
  // its caller (DW_OP_entry_value).
  for (const p of pending) {
    if (p.module === undefined) {
      out.push({ kind: 'user', name: p.pc === sigreturn_trampoline(t) ? SIGNAL_FRAME_NAME : `0x${p.pc.toString(16)}`, line: 0, column: 0, pc: p.pc, regs: p.regs });
    } else if (p.inline.length === 0) {
      const name = frameName(p.module, { ...linkFrames[p.index], pc: p.pc });
      out.push({ kind: 'user', name, line: 0, column: 0, pc: p.pc, user: { module: p.module, frames: linkFrames, index: p.index, inline: undefined } });
    } else {
      for (const inl of p.inline) {
        out.push({
          kind: 'user', name: inl.name, file: inl.file === undefined ? undefined : p.module.image.sourcePath(inl.file), line: inl.line ?? 0, column: inl.column ?? 0, pc: p.pc,
          user: { module: p.module, frames: linkFrames, index: p.index, inline: inl },
        });
      }
    }
  }
  return out;
}

/**
 * The registers a signal interrupted, read from the rt_sigframe at the trampoline frame's sp
 * (where the handler's return left it). Its pc is where the program was, not a return address.
 */
function interruptedFrame(trampoline: Frame, mem: MemoryReader): Frame | undefined {
  const sp = trampoline.regs[2];
  if (sp === undefined) return undefined;
  const mc = mem(sp + BigInt(SIGFRAME_MCONTEXT), MCONTEXT_FPREGS + 32 * 8);
  if (mc === undefined) return undefined;
  const v = new DataView(mc.buffer, mc.byteOffset, mc.byteLength);
  const regs: bigint[] = [0n];
  for (let i = 1; i < 32; i++) regs.push(v.getBigUint64(8 * i, true));
  for (let i = 0; i < 32; i++) regs.push(v.getBigUint64(MCONTEXT_FPREGS + 8 * i, true));
  const pc = Number(v.getBigUint64(0, true));
  return pc === 0 ? undefined : { pc, regs, returnAddress: false };
}
