import { ByteReader, tooLargeMessage } from './bytes';
import {
  ELF64_SYM_SIZE, SHN_COMMON, SHN_UNDEF, SHT_STRTAB, STB_GLOBAL, STB_LOCAL, STT_FILE, STT_FUNC, STT_OBJECT, STT_SECTION,
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

/** What objdump weighs about a symbol at an address it shares, and where the symbol ends. */
interface Candidate {
  readonly name: string;
  readonly value: number;
  /** st_size, which objdump compares; 0 for PLT stubs, whose size it does not consider. */
  readonly size: number;
  /** The first address past the symbol: value + st_size, and a PLT stub's 16 bytes. */
  readonly end: number;
  /** objdump's preferences folded into one number, computed once: lower is preferred. */
  readonly rank: number;
}

/**
 * Answers "which symbol is this address in", as gdb decides for a backtrace (see `containing`),
 * and where the code after the last symbol begins (`endBefore`). When several symbols qualify
 * at one address, the name is the one GNU objdump (binutils 2.40) would print there, so a
 * function is called the same in Forkscope's stack, its disassembly and objdump's listing
 * (test/elf/symbolize.test.ts checks every address objdump names in a static glibc program):
 *
 * - Candidates are named symbols that are defined here, except section and file symbols
 *   (section symbols of .plt* and .got* are kept, as objdump keeps them). TLS symbols stay,
 *   as in objdump, though their values are offsets into the TLS block: they only ever cover
 *   small numbers, below the code.
 * - Among symbols at the same address, objdump prefers functions, then objects, globals over
 *   locals, the larger size, names not starting with '.', and finally the smaller name.
 * - RISC-V mapping symbols (`$x`, `$d`, `$xrv64i2p1...`) and the assembler's `.L0 ` labels are
 *   never printed, so they name nothing.
 * - PLT stubs count as symbols (`puts@plt`) of one 16-byte entry each, as objdump's synthetic
 *   symbols do.
 */
export class Symbolizer {
  /** The candidates in objdump's order, which sorts by value first. */
  private readonly candidates: readonly Candidate[];
  /** Their values alone, for the binary search. */
  private readonly values: Float64Array;
  /** The furthest end of the candidates up to each index: no earlier one reaches beyond it. */
  private readonly reach: Float64Array;

  constructor(table: readonly ElfSymbol[], plt: readonly PltStub[]) {
    this.candidates = table
      .filter((s) => s.st_shndx !== SHN_UNDEF && s.st_shndx !== SHN_COMMON && s.name !== '' && s.type !== STT_FILE
        && (s.type !== STT_SECTION || s.name.startsWith('.plt') || s.name.startsWith('.got'))
        && !isMappingOrFakeLabel(s.name))
      .map((sym): Candidate => ({
        name: sym.name, value: sym.st_value, size: sym.st_size, end: sym.st_value + sym.st_size, rank: rank(sym),
      }))
      .concat(plt.map((stub) => ({
        name: stub.name, value: stub.value, size: 0, end: stub.value + PLT_ENTRY_SIZE, rank: rank(stub),
      })))
      .sort(compareCandidates);
    this.values = Float64Array.from(this.candidates, (c) => c.value);
    this.reach = new Float64Array(this.candidates.length);
    for (let i = 0; i < this.candidates.length; i++) {
      this.reach[i] = Math.max(this.candidates[i].end, i > 0 ? this.reach[i - 1] : 0);
    }
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
    const { candidates, reach } = this;
    for (let i = this.countAtOrBelow(addr) - 1; i >= 0 && (candidates[i].value === addr || reach[i] > addr); i--) {
      const c = candidates[i];
      if (c.value !== addr && c.end <= addr) continue;
      // The first of its address in objdump's order that also contains addr.
      let best = c;
      for (let j = i - 1; j >= 0 && candidates[j].value === c.value; j--) {
        if (candidates[j].value === addr || candidates[j].end > addr) best = candidates[j];
      }
      return { name: best.name, offset: addr - best.value };
    }
    return undefined;
  }

  /**
   * Where the code after the last symbol before `addr` begins: the furthest end of the symbols
   * at or below it. For an address no symbol contains, the function around it starts there or
   * later (several unnamed functions may lie between); undefined when no symbol precedes it.
   */
  endBefore(addr: number): number | undefined {
    const n = this.countAtOrBelow(addr);
    return n === 0 ? undefined : this.reach[n - 1];
  }

  /** How many candidates have a value <= addr: binary search over the sorted values. */
  private countAtOrBelow(addr: number): number {
    let lo = 0;
    let hi = this.values.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.values[mid] <= addr) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
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
