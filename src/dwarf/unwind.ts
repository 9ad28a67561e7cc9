import type { CallFrameInfo, CfaRule, Cie, RegisterRule } from './cfi';
import { evaluateValue } from './eval';
import type { EvalContext } from './eval';
import { DWARF_REG_COUNT, DWARF_REG_FP, DWARF_REG_RA, DWARF_REG_SP, isCalleeSaved } from './regs';

/**
 * Register values of one frame, indexed by DWARF register number (0–31 x0–x31, 32–63 f0–f31).
 * Values are unsigned 64-bit bigints — the registers' raw bits, so FP registers are their
 * IEEE bit patterns — and `undefined` means the value is not known in this frame (a
 * caller-saved register the callee did not preserve).
 */
export type RegisterFile = readonly (bigint | undefined)[];

/** Reads guest memory; undefined when any byte is unmapped. */
export type MemoryReader = (address: bigint, size: number) => Uint8Array | undefined;

/** One frame of a call stack. */
export interface Frame {
  readonly pc: number;
  readonly regs: RegisterFile;
  /**
   * True when `pc` is a return address (every frame but the innermost, unless its callee was
   * interrupted by a signal). Such a pc may be the first address after the function's last
   * call, so look it up as `pc - 1` (see `lookupPc`).
   */
  readonly returnAddress: boolean;
}

/** A caller frame as the unwinder recovered it. */
export interface UnwoundFrame extends Frame {
  /** The canonical frame address of the callee: its caller's sp at the call. */
  readonly cfa: bigint;
  /** How it was found: the CFI, or a convention where no FDE covers the pc. */
  readonly method: 'cfi' | 'frame-pointer' | 'return-address';
}

/** The pc to look up line, scope, location-list and CFI information with. */
export function lookupPc(frame: Frame): number {
  return frame.returnAddress ? frame.pc - 1 : frame.pc;
}

const MASK64 = (1n << 64n) - 1n;

function readU64(memory: MemoryReader, address: bigint): bigint | undefined {
  const bytes = memory(address & MASK64, 8);
  if (!bytes || bytes.length < 8) return undefined;
  let v = 0n;
  for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

/** A frame's registers as an evaluation context (for CFA and register-rule expressions). */
function evalContext(regs: RegisterFile, memory: MemoryReader): EvalContext {
  return { readRegister: (r) => regs[r], readMemory: memory };
}

/** The CFA of a frame by its CFI rule; undefined when a register it needs is unknown. */
export function computeCfa(rule: CfaRule, regs: RegisterFile, memory: MemoryReader): bigint | undefined {
  if (rule.kind === 'register') {
    const base = regs[rule.reg];
    return base === undefined ? undefined : (base + BigInt(rule.offset)) & MASK64;
  }
  return evaluateValue(rule.expr, evalContext(regs, memory));
}

/**
 * One unwinding step: the caller of `frame`, or undefined when `frame` is the outermost (the
 * return address is undefined or zero, as `_start` marks it) or no sane caller can be found.
 *
 * With CFI the caller's registers follow the rules of the row at the pc. Registers without a
 * rule take the psABI's default: callee-saved ones (sp, s0–s11, fs0–fs11) and ra keep their
 * value, the others become unknown; sp becomes the CFA.
 *
 * Without an FDE for the pc, follow the frame-pointer convention gcc and clang use when they
 * keep one (see `unwindWithFramePointer`) where s0 is plausible, and in the innermost frame
 * otherwise assume a leaf that has not touched sp, s0 or ra (pc = ra).
 * Stopped on a function's very first instruction, before it sets up s0, the convention
 * misreads the caller's frame as this one's and skips a frame: only CFI (or decoding the
 * prologue, which is not this layer's job) can tell.
 *
 * Every step must move up the stack, so a corrupt stack ends the walk instead of looping.
 */
export function unwindStep(cfi: CallFrameInfo | undefined, frame: Frame, memory: MemoryReader): UnwoundFrame | undefined {
  const found = cfi?.rowAt(lookupPc(frame));
  const caller = found
    ? unwindWithCfi(found.row.cfa, found.row.registers, found.fde.cie, frame, memory)
    : unwindWithoutCfi(frame, memory);
  if (!caller) return undefined;
  const sp = frame.regs[DWARF_REG_SP];
  // The caller's frame is above ours; equal is only possible when the pc moved on.
  if (sp !== undefined && (caller.cfa < sp || (caller.cfa === sp && caller.pc === frame.pc))) return undefined;
  return caller;
}

function unwindWithCfi(cfaRule: CfaRule, rules: ReadonlyMap<number, RegisterRule>, cie: Cie, frame: Frame,
  memory: MemoryReader): UnwoundFrame | undefined {
  const raColumn = cie.returnAddressRegister;
  const cfa = computeCfa(cfaRule, frame.regs, memory);
  if (cfa === undefined) return undefined;
  const regs: (bigint | undefined)[] = new Array(DWARF_REG_COUNT);
  const ctx = evalContext(frame.regs, memory);
  for (let r = 0; r < DWARF_REG_COUNT; r++) {
    const rule = rules.get(r);
    if (!rule) {
      regs[r] = r === DWARF_REG_SP ? cfa : isCalleeSaved(r) || r === raColumn ? frame.regs[r] : undefined;
      continue;
    }
    switch (rule.kind) {
      case 'undefined': regs[r] = undefined; break;
      case 'sameValue': regs[r] = frame.regs[r]; break;
      case 'offset': regs[r] = readU64(memory, cfa + BigInt(rule.offset)); break;
      case 'valOffset': regs[r] = (cfa + BigInt(rule.offset)) & MASK64; break;
      case 'register': regs[r] = frame.regs[rule.reg]; break;
      case 'expression': {
        const address = evaluateValue(rule.expr, ctx, [cfa]);
        regs[r] = address === undefined ? undefined : readU64(memory, address);
        break;
      }
      case 'valExpression': regs[r] = evaluateValue(rule.expr, ctx, [cfa]); break;
    }
  }
  regs[0] = 0n;
  const ra = regs[raColumn];
  if (ra === undefined || ra === 0n || ra > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  // Out of a signal trampoline ('S' augmentation) the saved pc is where the signal interrupted
  // the program, not a return address.
  return { pc: Number(ra), regs, returnAddress: !cie.signalFrame, cfa, method: 'cfi' };
}

/** A frame larger than this is not one: s0 is not a frame pointer then. */
const MAX_FRAME_SIZE = 1n << 20n;

function unwindWithoutCfi(frame: Frame, memory: MemoryReader): UnwoundFrame | undefined {
  const fp = frame.regs[DWARF_REG_FP];
  const sp = frame.regs[DWARF_REG_SP];
  // The psABI keeps sp 16-byte aligned, and a frame pointer points at the frame's top.
  const plausible = sp !== undefined && looksLikeCallerFp(fp, sp);
  const viaFp = plausible || frame.returnAddress ? unwindWithFramePointer(frame, memory) : undefined;
  return viaFp ?? (frame.returnAddress ? undefined : unwindLeaf(frame));
}

/** Registers a caller shares with its callee when no rule says otherwise. */
function calleeSavedOnly(regs: RegisterFile): (bigint | undefined)[] {
  const out: (bigint | undefined)[] = new Array(DWARF_REG_COUNT);
  for (let r = 0; r < DWARF_REG_COUNT; r++) out[r] = isCalleeSaved(r) ? regs[r] : undefined;
  out[0] = 0n;
  return out;
}

function unwindLeaf(frame: Frame): UnwoundFrame | undefined {
  const ra = frame.regs[DWARF_REG_RA];
  const sp = frame.regs[DWARF_REG_SP];
  if (ra === undefined || ra === 0n || sp === undefined || ra > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const regs = calleeSavedOnly(frame.regs);
  regs[DWARF_REG_RA] = ra;
  return { pc: Number(ra), regs, returnAddress: true, cfa: sp, method: 'return-address' };
}

/** Whether `v` could be a frame pointer of a frame above the one whose frame pointer is `fp`. */
function looksLikeCallerFp(v: bigint | undefined, fp: bigint): boolean {
  return v !== undefined && v > fp && v - fp <= MAX_FRAME_SIZE && (v & 15n) === 0n;
}

/**
 * The frame-pointer convention: s0 holds the CFA; a function that calls others saves ra at
 * s0-8 and the caller's s0 at s0-16, a leaf (gcc) saves only the caller's s0, at s0-8, and
 * keeps the return address in ra. Only the innermost frame can be a leaf; there we tell the
 * two layouts apart by whether s0-8 holds a plausible frame pointer or a code address.
 */
function unwindWithFramePointer(frame: Frame, memory: MemoryReader): UnwoundFrame | undefined {
  const fp = frame.regs[DWARF_REG_FP];
  if (fp === undefined || fp === 0n || (fp & 15n) !== 0n) return undefined;
  const below = readU64(memory, fp - 8n);
  let ra: bigint | undefined;
  let callerFp: bigint | undefined;
  if (!frame.returnAddress && looksLikeCallerFp(below, fp)) {
    ra = frame.regs[DWARF_REG_RA];
    callerFp = below;
  } else {
    ra = below;
    callerFp = readU64(memory, fp - 16n);
  }
  if (ra === undefined || ra === 0n || callerFp === undefined || ra > BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
  const regs = calleeSavedOnly(frame.regs);
  regs[DWARF_REG_SP] = fp;
  regs[DWARF_REG_FP] = callerFp;
  regs[DWARF_REG_RA] = ra;
  return { pc: Number(ra), regs, returnAddress: true, cfa: fp, method: 'frame-pointer' };
}
