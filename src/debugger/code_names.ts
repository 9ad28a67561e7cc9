/**
 * What the debugger calls a code address — in call stacks, disassembly labels and function
 * pointers alike, so that they never disagree.
 *
 * A symbol names an address only when the address lies inside it (Symbolizer.containing), as in
 * gdb, which shows `??` rather than borrow the nearest exported name: in Debian's stripped
 * libc.so.6 internal functions such as new_do_write have no symbol, and the dynamic symbol
 * before them would name the wrong function. Where no symbol covers the address:
 *
 * - `fn@libc.so.6+0x63f7e` when an FDE of `.eh_frame` covers it: the FDE's initial location is
 *   where the function containing the address starts (its offset from the file's link-time
 *   addresses, as `objdump -d` and `addr2line -e libc.so.6` take them);
 * - `libc.so.6+0x37eb4` otherwise: the address itself, nothing known about its function.
 */
import { lookupPc, type Frame } from '../dwarf';
import type { Module } from './images';

export interface CodeName {
  /** The function: a symbol, `fn@<file>+0x<start>`, or `<file>+0x<address>` when unknown. */
  readonly name: string;
  /** How far the address is past the function's start; undefined when the start is unknown. */
  readonly offset: number | undefined;
}

/**
 * The name of run-time `address` in module `m`. `within` is the address whose function is
 * meant, when it differs: a return address names the call's function, one byte before it (the
 * call may be a noreturn function's last instruction, so the return address is the next one's).
 */
export function codeName(m: Module, address: number, within = address): CodeName {
  const link = within - m.bias;
  const sym = m.image.symbolizer.containing(link);
  if (sym !== undefined) return { name: sym.name, offset: address - within + sym.offset };
  const fde = m.image.dwarf?.cfi.findFde(link);
  if (fde !== undefined) return { name: `fn@${m.image.name}+0x${fde.low.toString(16)}`, offset: address - m.bias - fde.low };
  return { name: `${m.image.name}+0x${(address - m.bias).toString(16)}`, offset: undefined };
}

/** A code address as a label: `main`, `main+0x1c`, `fn@libc.so.6+0x63f7e+0x4e`. */
export function codeLabel(m: Module, address: number): string {
  return labelText(codeName(m, address));
}

/** The label of a CodeName (see codeLabel). */
export function labelText({ name, offset }: CodeName): string {
  return offset === undefined || offset === 0 ? name : `${name}+0x${offset.toString(16)}`;
}

/** The function name of a stack frame (a physical frame, in run-time addresses). */
export function frameName(m: Module, frame: Frame): string {
  return codeName(m, frame.pc, lookupPc(frame)).name;
}

/**
 * Where the function containing link-time address `pc` of `m` starts, for reading its prologue:
 * its symbol's or its FDE's start (`guessed` false); else, as a guess, the end of the last
 * symbol or FDE before it — the function may begin later, past other unnamed ones.
 */
export function functionStart(m: Module, pc: number): { start: number; guessed: boolean } | undefined {
  const sym = m.image.symbolizer.containing(pc);
  if (sym !== undefined) return { start: pc - sym.offset, guessed: false };
  const cfi = m.image.dwarf?.cfi;
  const fde = cfi?.findFde(pc);
  if (fde !== undefined) return { start: fde.low, guessed: false };
  const start = Math.max(m.image.symbolizer.endBefore(pc) ?? 0, cfi?.endBefore(pc) ?? 0);
  return start === 0 || start > pc ? undefined : { start, guessed: true };
}
