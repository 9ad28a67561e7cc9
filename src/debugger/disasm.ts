/**
 * Disassembly for the editor's disassembly view: objdump's text for each instruction (isa/disasm),
 * with its bytes, the symbol it starts (`<main+0x1c>`) and its source line.
 *
 * RISC-V instructions are 2 or 4 bytes, so a listing cannot be decoded backwards: it is decoded
 * forwards from the start of the function around the requested address, which is also where
 * objdump starts, so its lui/auipc address comments come out the same.
 */
import { decode } from '../isa/decode';
import { DisasmContext, disassemble } from '../isa/disasm';
import { emptyInst } from '../isa/ops';
import type { Kernel } from '../kernel/kernel';
import type { Task } from '../kernel/task';
import { codeLabel, codeName, labelText } from './code_names';
import type { ImageStore } from './images';
import { fetchWord } from './insn';

export interface DisasmLine {
  readonly address: number;
  /** Hex bytes as objdump prints them (`1141` or `fe010113`); empty when unreadable. */
  readonly bytes: string;
  readonly text: string;
  readonly symbol?: string;
  readonly file?: string;
  readonly line?: number;
}

/** Longest stretch decoded to find the requested instructions. */
const MAX_SPAN = 64 * 1024;

/**
 * `count` instructions starting `offset` instructions from `address` (offset may be negative)
 * in `t`'s address space; addresses that cannot be read give "unreadable" lines.
 */
export function disassembleAt(k: Kernel, images: ImageStore, t: Task, address: number, offset: number, count: number): DisasmLine[] {
  const mm = t.mm;
  const modules = mm === null ? [] : images.modules(mm);
  const moduleAt = (a: number) => modules.find((m) => a >= m.start && a < m.end);
  // Start far enough back for a negative offset: the start of the function around that point.
  const back = Math.max(0, -offset) * 4;
  let from = Math.max(0, address - back);
  const m0 = moduleAt(from);
  const fn = m0 === undefined ? undefined : codeName(m0, from);
  if (fn?.offset !== undefined && fn.offset < MAX_SPAN) from -= fn.offset;
  const gpSym = m0?.image.symbols.find((s) => s.name === '__global_pointer$');
  const ctx = new DisasmContext({ gp: gpSym === undefined ? undefined : BigInt(gpSym.st_value + (m0?.bias ?? 0)) });
  const lines: DisasmLine[] = [];
  const inst = emptyInst();
  let a = from;
  let targetIndex = -1;
  while (a < address + count * 4 + 4 && a - from < MAX_SPAN + back + count * 4) {
    if (targetIndex < 0 && a >= address) targetIndex = lines.length;
    if (targetIndex >= 0 && lines.length >= targetIndex + offset + count) break;
    const m = moduleAt(a);
    const word = fetchWord(k, t, a);
    if (word === null) {
      lines.push({ address: a, bytes: '', text: '<unreadable>' });
      a += 2;
      continue;
    }
    decode(word, inst);
    const name = m === undefined ? undefined : codeName(m, a);
    if (name?.offset === 0) ctx.reset();
    const text = disassemble(inst, a, word, (addr) => {
      const at = moduleAt(addr);
      return at === undefined ? undefined : codeLabel(at, addr);
    }, ctx);
    const loc = m?.image.dwarf?.lineAt(a - m.bias);
    lines.push({
      address: a, bytes: inst.len === 2 ? word.toString(16).padStart(4, '0') : word.toString(16).padStart(8, '0'), text,
      // A label only where the instruction's function is known: a label that is just the
      // instruction's own address says nothing the address column does not.
      symbol: name?.offset === undefined ? undefined : labelText(name), file: loc === undefined || m === undefined ? undefined : m.image.sourcePath(loc.file), line: loc?.line,
    });
    a += inst.len;
  }
  if (targetIndex < 0) targetIndex = lines.length;
  const out: DisasmLine[] = [];
  for (let i = targetIndex + offset; i < targetIndex + offset + count; i++) {
    out.push(lines[i] ?? { address: i < 0 ? 0 : a + (i - lines.length) * 4, bytes: '', text: '<no instruction>' });
  }
  return out;
}
