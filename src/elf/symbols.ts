import { ByteReader, tooLargeMessage } from './bytes';
import {
  ELF64_SYM_SIZE, SHF_ALLOC, SHF_TLS, SHN_COMMON, SHN_LORESERVE, SHN_UNDEF, SHT_NOBITS, SHT_STRTAB,
  STB_GLOBAL, STB_LOCAL, STT_FILE, STT_FUNC, STT_OBJECT, STT_SECTION,
} from './constants';
import { ElfError } from './error';
import type { ElfFile } from './parse';
import { PLT_ENTRY_SIZE, type PltStub } from './plt';
import { StringTable } from './strings';
import type { ElfSymbol, SectionHeader, SymbolizedAddress } from './types';

/** Reads a SHT_SYMTAB or SHT_DYNSYM section, all entries in file order. */
export function parseSymbolTable(elf: ElfFile, sh: SectionHeader): ElfSymbol[] {
  const what = `symbol table ${sh.name} (section ${sh.index})`;
  if (sh.sh_entsize !== ELF64_SYM_SIZE) {
    throw new ElfError(`${what} has entries of ${sh.sh_entsize} bytes, not ${ELF64_SYM_SIZE}`);
  }
  if (sh.sh_size % ELF64_SYM_SIZE !== 0) {
    throw new ElfError(`${what} is ${sh.sh_size} bytes, not a whole number of entries`);
  }
  const sections = elf.sections;
  const strtab = sh.sh_link < sections.length ? sections[sh.sh_link] : undefined;
  if (strtab === undefined || strtab.sh_type !== SHT_STRTAB) {
    throw new ElfError(`${what} links to section ${sh.sh_link}, which is not a string table`);
  }
  const names = new StringTable(elf.sectionData(strtab), strtab.name);
  const r = new ByteReader(elf.sectionData(sh));
  const count = r.length / ELF64_SYM_SIZE;
  const symbols: ElfSymbol[] = [];
  for (let i = 0; i < count; i++) {
    const at = i * ELF64_SYM_SIZE;
    const st_name = r.u32(at);
    const st_info = r.u8(at + 4);
    const st_other = r.u8(at + 5);
    const st_shndx = r.u16(at + 6);
    const type = st_info & 0xf;
    symbols.push({
      index: i,
      // Section symbols usually have no name of their own; like readelf and objdump, call
      // them by their section's name.
      name: st_name === 0 && type === STT_SECTION && st_shndx < sections.length
        ? sections[st_shndx].name : names.get(st_name),
      st_value: r.u64(at + 8, tooLargeMessage(`the value of symbol ${i} in ${sh.name}`)),
      st_size: r.u64(at + 16, tooLargeMessage(`the size of symbol ${i} in ${sh.name}`)),
      st_info,
      st_other,
      st_shndx,
      type,
      bind: st_info >> 4,
      visibility: st_other & 3,
    });
  }
  return symbols;
}

/** What objdump weighs about a symbol. */
interface Candidate {
  readonly name: string;
  readonly value: number;
  /** st_size, which objdump compares; 0 for PLT stubs, whose size it does not consider. */
  readonly size: number;
  /** The first address past the symbol: value + st_size, and a PLT stub's 16 bytes. */
  readonly end: number;
  /** Name of the section the symbol is defined in ("" for SHN_ABS and the like). */
  readonly section: string;
  /** RISC-V's disassembler never prints these, but they still occupy their address. */
  readonly valid: boolean;
  /** objdump's preferences folded into one number, computed once: lower is preferred. */
  readonly rank: number;
}

/**
 * Answers "which symbol is this address in", choosing exactly as GNU objdump (binutils 2.40)
 * does when it prints `<name+0x1c>`, so Forkscope's disassembly and objdump's agree line for
 * line (test/elf/symbolize.test.ts checks every target in a static glibc program):
 *
 * - Candidates are named symbols that are defined here, except section and file symbols
 *   (section symbols of .plt* and .got* are kept, as objdump keeps them). TLS symbols stay,
 *   as in objdump, though their values are offsets into the TLS block: they only ever win for
 *   small numbers below every real symbol, which objdump also prints as `<tls_var+0x7a8>`.
 * - Among symbols at the same address, objdump prefers one from the section being
 *   disassembled (here: the section containing the address), then functions, then objects, globals over locals, the larger size, names not starting
 *   with '.', and finally the smaller name.
 * - RISC-V mapping symbols (`$x`, `$d`, `$xrv64i2p1...`) and the assembler's `.L0 ` labels are
 *   never printed: the nearest valid symbol at or below their address is used instead.
 * - PLT stubs count as symbols of .plt (`puts@plt`), as objdump's synthetic symbols do.
 */
export class Symbolizer {
  /** Every candidate in objdump's order, and the printable ones alone in the same order. */
  private readonly all: ByValue;
  private readonly printable: ByValue;
  /** Allocated sections that hold addresses, to find "the section being looked at". */
  private readonly addressed: readonly SectionHeader[];

  constructor(table: readonly ElfSymbol[], sections: readonly SectionHeader[], plt: readonly PltStub[]) {
    const sectionName = (shndx: number) =>
      shndx < SHN_LORESERVE && shndx < sections.length ? sections[shndx].name : '';
    const candidates = table
      .filter((s) => s.st_shndx !== SHN_UNDEF && s.st_shndx !== SHN_COMMON && s.name !== '' && s.type !== STT_FILE
        && (s.type !== STT_SECTION || s.name.startsWith('.plt') || s.name.startsWith('.got')))
      .map((sym): Candidate => ({
        name: sym.name, value: sym.st_value, size: sym.st_size, end: sym.st_value + sym.st_size, section: sectionName(sym.st_shndx),
        valid: !isMappingOrFakeLabel(sym.name), rank: rank(sym),
      }))
      .concat(plt.map((stub) => ({
        name: stub.name, value: stub.value, size: 0, end: stub.value + PLT_ENTRY_SIZE, section: '.plt', valid: true, rank: rank(stub),
      })))
      .sort(compareCandidates);
    this.all = new ByValue(candidates);
    this.printable = new ByValue(candidates.filter((c) => c.valid));
    this.addressed = sections.filter((s) =>
      (s.sh_flags & SHF_ALLOC) !== 0 && s.sh_size > 0 && !(s.sh_type === SHT_NOBITS && (s.sh_flags & SHF_TLS) !== 0));
  }

  lookup(addr: number): SymbolizedAddress | undefined {
    // objdump first looks at every candidate at the highest address <= addr, for a printable
    // one from the section the address is in.
    const here = this.addressed.find((s) => addr >= s.sh_addr && addr - s.sh_addr < s.sh_size)?.name;
    const top = this.all.groupAtOrBelow(addr);
    if (top !== undefined && here !== undefined) {
      for (let i = top.start; i < top.end; i++) {
        const c = this.all.items[i];
        if (c.valid && c.section === here) return found(c, addr);
      }
    }
    // Otherwise the first printable symbol, in its order, at the highest address that has one.
    const group = this.printable.groupAtOrBelow(addr);
    return group === undefined ? undefined : found(this.printable.items[group.start], addr);
  }

  /**
   * The symbol `addr` lies in, as gdb decides for a backtrace: only one whose
   * [st_value, st_value + st_size) contains the address, or a symbol of size 0 at exactly that
   * address. In a stripped library most functions have no symbol, and naming their code after
   * the nearest exported one before it would invent a caller. gdb's minimal-symbol lookup
   * likewise refuses a sized symbol the pc is beyond. Nested symbols (a label inside a function)
   * give the innermost; among several at one address, objdump's preference holds.
   */
  containing(addr: number): SymbolizedAddress | undefined {
    const { items, reach } = this.printable;
    const group = this.printable.groupAtOrBelow(addr);
    if (group === undefined) return undefined;
    for (let i = group.end - 1; i >= 0 && (items[i].value === addr || reach[i] > addr); i--) {
      const c = items[i];
      if (c.value !== addr && c.end <= addr) continue;
      // The first of its address in objdump's order that also contains addr.
      let best = i;
      for (let j = i - 1; j >= 0 && items[j].value === c.value; j--) if (items[j].value === addr || items[j].end > addr) best = j;
      return found(items[best], addr);
    }
    return undefined;
  }

  /**
   * Where the code after the last symbol before `addr` begins: the furthest end of the symbols
   * at or below it. For an address no symbol contains, the function around it starts there or
   * later (several unnamed functions may lie between); undefined when no symbol precedes it.
   */
  endBefore(addr: number): number | undefined {
    const group = this.printable.groupAtOrBelow(addr);
    return group === undefined ? undefined : this.printable.reach[group.end - 1];
  }
}

/** Candidates sorted by value, with the start of each run of equal values precomputed. */
class ByValue {
  private readonly values: Float64Array;
  private readonly groupStart: Int32Array;
  /** The furthest end of the candidates up to each index: no earlier one reaches beyond it. */
  readonly reach: Float64Array;

  constructor(readonly items: readonly Candidate[]) {
    this.values = Float64Array.from(items, (c) => c.value);
    this.groupStart = new Int32Array(items.length);
    this.reach = new Float64Array(items.length);
    for (let i = 0; i < items.length; i++) {
      this.groupStart[i] = i > 0 && this.values[i] === this.values[i - 1] ? this.groupStart[i - 1] : i;
      this.reach[i] = Math.max(items[i].end, i > 0 ? this.reach[i - 1] : 0);
    }
  }

  /** The index range of the candidates at the highest value <= addr, if any. */
  groupAtOrBelow(addr: number): { start: number; end: number } | undefined {
    let lo = 0;
    let hi = this.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.values[mid] <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : { start: this.groupStart[lo - 1], end: lo };
  }
}

function found(c: Candidate, addr: number): SymbolizedAddress {
  return { name: c.name, offset: addr - c.value };
}

/** RISC-V mapping symbols and the assembler's fake label, which objdump's RISC-V printer skips. */
function isMappingOrFakeLabel(name: string): boolean {
  return name === '$x' || name === '$d' || name.startsWith('$xrv') || name === '.L0 ';
}

/** Byte order (strcmp), which is code-unit order for the ASCII names symbols have. */
export function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Names objdump ranks after real symbols at the same address: compiler markers and file names. */
function looksLikeMarker(name: string): boolean {
  return name.includes('gnu_compiled') || name.includes('gcc2_compiled');
}
function looksLikeFileName(name: string): boolean {
  return name.length > 2 && (name.endsWith('.o') || name.endsWith('.a'));
}

type Ranked = Pick<ElfSymbol, 'name' | 'type' | 'bind'>;

/** objdump's preferences among symbols at one address: the one for which a rule holds first. */
const PREFERENCES: readonly ((s: Ranked) => boolean)[] = [
  (s) => !looksLikeMarker(s.name),
  (s) => !looksLikeFileName(s.name),
  (s) => s.type !== STT_SECTION,
  (s) => s.type === STT_FUNC,
  (s) => s.type === STT_OBJECT,
  (s) => s.bind !== STB_LOCAL,
  (s) => s.bind === STB_GLOBAL,
];

/** The preferences as bits, the first rule the most significant: a broken rule costs rank. */
function rank(s: Ranked): number {
  return PREFERENCES.reduce((r, rule) => (r << 1) | (rule(s) ? 0 : 1), 0);
}

/** objdump's order for symbols: by value, then by how useful the name is to print. */
function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.value !== b.value) return a.value - b.value;
  if (a.rank !== b.rank) return a.rank - b.rank;
  if (a.size !== b.size) return b.size - a.size;
  const dotA = a.name.startsWith('.');
  if (dotA !== b.name.startsWith('.')) return dotA ? 1 : -1;
  return compareNames(a.name, b.name);
}
