import { ByteReader, hex, tooLargeMessage } from './bytes';
import {
  EI_ABIVERSION, EI_CLASS, EI_DATA, EI_NIDENT, EI_OSABI, EI_VERSION, ELF64_EHDR_SIZE,
  ELF64_PHDR_SIZE, ELF64_SHDR_SIZE, ELF_MAGIC, ELFCLASS32, ELFCLASS64, ELFDATA2LSB, ELFDATA2MSB,
  EM_RISCV, PN_XNUM, PT_INTERP, SHN_COMMON, SHN_UNDEF, SHN_XINDEX, SHT_DYNSYM, SHT_NOBITS, SHT_SYMTAB,
  STT_FUNC, STT_GNU_IFUNC, STT_OBJECT,
} from './constants';
import { parseDynamic } from './dynamic';
import { ElfError } from './error';
import { machineName, segmentTypeName } from './names';
import { buildId, debugLink } from './notes';
import { pltStubs } from './plt';
import { StringTable } from './strings';
import { compareNames, parseSymbolTable, Symbolizer } from './symbols';
import type { DebugLink, DynamicEntry, ElfHeader, ElfSymbol, ProgramHeader, SectionHeader } from './types';

/**
 * Parses an ELF64 little-endian RISC-V file. The header, the program headers and PT_INTERP are
 * read (and checked) now, because that is all the kernel's loader needs and all Linux looks at;
 * sections, symbols and the dynamic section are read on first use, so a damaged section table
 * does not stop a program that Linux would run.
 *
 * Throws ElfError, and nothing else, for any input.
 */
export function parseElf(bytes: Uint8Array): ElfFile {
  const r = new ByteReader(bytes);
  const header = parseHeader(r);
  return new ElfFile(r, header, parseProgramHeaders(r, header));
}

/**
 * A parsed file. Made by parseElf; every getter either answers or throws an ElfError, and
 * what it reads is cached.
 */
export class ElfFile {
  /** The path in the first PT_INTERP segment, up to its first NUL; undefined without one. */
  readonly interpreter: string | undefined;

  private sectionList: readonly SectionHeader[] | undefined;
  private readonly symbolTables = new Map<number, readonly ElfSymbol[]>();
  private dynamicEntries: readonly DynamicEntry[] | undefined;
  private functionsAndObjects: readonly ElfSymbol[] | undefined;
  private ownSymbolizer: Symbolizer | undefined;

  constructor(
    private readonly reader: ByteReader,
    readonly header: ElfHeader,
    readonly programHeaders: readonly ProgramHeader[],
  ) {
    const interp = programHeaders.find((ph) => ph.p_type === PT_INTERP);
    if (interp !== undefined) {
      const raw = this.segmentData(interp);
      const nul = raw.indexOf(0);
      this.interpreter = new TextDecoder().decode(nul < 0 ? raw : raw.subarray(0, nul));
    }
  }

  /** The whole file. */
  get bytes(): Uint8Array {
    return this.reader.bytes;
  }

  /** The file bytes of a segment (p_filesz of them; parseElf checked they are in the file). */
  segmentData(ph: ProgramHeader): Uint8Array {
    return this.reader.bytes.subarray(ph.p_offset, ph.p_offset + ph.p_filesz);
  }

  /** The section headers with their names; empty when the file has no section table. */
  get sections(): readonly SectionHeader[] {
    this.sectionList ??= parseSections(this.reader, this.header);
    return this.sectionList;
  }

  /**
   * The contents of a section. SHT_NOBITS sections (.bss) occupy no file bytes and give an
   * empty array.
   */
  sectionData(sh: SectionHeader): Uint8Array {
    if (sh.sh_type === SHT_NOBITS) return new Uint8Array(0);
    const what = `section ${sh.index} (${sh.name})`;
    checkInFile(this.reader, sh.sh_offset, sh.sh_size, `${what} lies outside the file`, what);
    return this.reader.bytes.subarray(sh.sh_offset, sh.sh_offset + sh.sh_size);
  }

  /** The contents of the first section called `name`, or undefined if there is none. */
  section(name: string): Uint8Array | undefined {
    const sh = this.sections.find((s) => s.name === name);
    return sh === undefined ? undefined : this.sectionData(sh);
  }

  /** Every entry of `.symtab` (SHT_SYMTAB) in file order, index 0 included; empty if stripped. */
  get symtab(): readonly ElfSymbol[] {
    return this.symbolTable(SHT_SYMTAB);
  }

  /** Every entry of `.dynsym` (SHT_DYNSYM) in file order; empty for a static program. */
  get dynsym(): readonly ElfSymbol[] {
    return this.symbolTable(SHT_DYNSYM);
  }

  /**
   * The symbols a person means by "the functions and variables of this program": defined
   * functions and objects, with their sizes, sorted by address (then name). Taken from
   * `.symtab`, or from `.dynsym` when the file is stripped.
   */
  symbols(): readonly ElfSymbol[] {
    this.functionsAndObjects ??= this.mainSymbolTable()
      .filter((s) => s.st_shndx !== SHN_UNDEF && s.st_shndx !== SHN_COMMON && s.name !== ''
        && (s.type === STT_FUNC || s.type === STT_OBJECT || s.type === STT_GNU_IFUNC))
      .sort((a, b) => a.st_value - b.st_value || compareNames(a.name, b.name));
    return this.functionsAndObjects;
  }

  /**
   * Address lookups over this file's symbols, or over those of `symbols`: its separate debug
   * file, whose .symtab the stripped file lost (the addresses are the same). PLT stubs always
   * come from this file, since a debug file's .plt and .rela.plt hold no bytes.
   */
  symbolizer(symbols: ElfFile = this): Symbolizer {
    if (symbols !== this) return new Symbolizer(symbols.mainSymbolTable(), pltStubs(this));
    this.ownSymbolizer ??= new Symbolizer(this.mainSymbolTable(), pltStubs(this));
    return this.ownSymbolizer;
  }

  /** The GNU build ID in hex (`.note.gnu.build-id`), which names a separate debug file. */
  get buildId(): string | undefined {
    return buildId(this);
  }

  /** The `.gnu_debuglink` section: a separate debug file's name and CRC. */
  get debugLink(): DebugLink | undefined {
    return debugLink(this);
  }

  /**
   * The entries of the PT_DYNAMIC segment up to DT_NULL (empty for a static program), with the
   * names of DT_NEEDED, DT_SONAME, DT_RPATH and DT_RUNPATH resolved.
   */
  get dynamic(): readonly DynamicEntry[] {
    this.dynamicEntries ??= parseDynamic(this.reader, this.programHeaders);
    return this.dynamicEntries;
  }

  private symbolTable(type: number): readonly ElfSymbol[] {
    let table = this.symbolTables.get(type);
    if (table === undefined) {
      const sh = this.sections.find((s) => s.sh_type === type);
      table = sh === undefined ? [] : parseSymbolTable(this, sh);
      this.symbolTables.set(type, table);
    }
    return table;
  }

  /** .symtab, or .dynsym when the file is stripped: what objdump names addresses with. */
  private mainSymbolTable(): readonly ElfSymbol[] {
    return this.symtab.length > 0 ? this.symtab : this.dynsym;
  }
}

/**
 * Checks that [offset, offset + size) lies in the file: "<outside>" when it starts past the
 * end, "file is truncated at N bytes; <what> needs M" when it starts inside but runs off.
 */
export function checkInFile(r: ByteReader, offset: number, size: number, outside: string, what: string): void {
  if (size === 0) return;
  if (offset >= r.length) throw new ElfError(outside);
  r.need(offset, size, what);
}

function parseHeader(r: ByteReader): ElfHeader {
  const magicLength = Math.min(r.length, ELF_MAGIC.length);
  for (let i = 0; i < magicLength; i++) {
    if (r.u8(i) !== ELF_MAGIC[i]) throw new ElfError('not an ELF file');
  }
  if (r.length <= ELF_MAGIC.length) {
    throw new ElfError(r.length === 0 ? 'the file is empty, not an ELF file' : `file is truncated at ${r.length} bytes; the ELF identification needs ${EI_NIDENT}`);
  }
  // Class and byte order first: they decide how everything after e_ident would be read.
  const ei_class = r.u8(EI_CLASS);
  if (ei_class === ELFCLASS32) throw new ElfError('32-bit ELF; Forkscope runs 64-bit RISC-V programs');
  if (ei_class !== ELFCLASS64) throw new ElfError(`ELF class ${ei_class} is invalid (expected 2, 64-bit)`);
  r.need(0, EI_NIDENT, 'the ELF identification');
  const ei_data = r.u8(EI_DATA);
  if (ei_data === ELFDATA2MSB) throw new ElfError('big-endian ELF; Forkscope runs little-endian RISC-V programs');
  if (ei_data !== ELFDATA2LSB) throw new ElfError(`ELF data encoding ${ei_data} is invalid (expected 1, little-endian)`);
  r.need(0, ELF64_EHDR_SIZE, 'the ELF header');
  const e_machine = r.u16(18);
  if (e_machine !== EM_RISCV) throw new ElfError(`ELF for ${machineName(e_machine)}, not RISC-V`);
  return {
    ei_class,
    ei_data,
    ei_version: r.u8(EI_VERSION),
    ei_osabi: r.u8(EI_OSABI),
    ei_abiversion: r.u8(EI_ABIVERSION),
    e_type: r.u16(16),
    e_machine,
    e_version: r.u32(20),
    e_entry: r.u64(24, tooLargeMessage('the entry point (e_entry)')),
    e_phoff: r.u64(32, (v) => `the program header table offset (e_phoff ${v}) lies outside the file`),
    e_shoff: r.u64(40, (v) => `the section header table offset (e_shoff ${v}) lies outside the file`),
    e_flags: r.u32(48),
    e_ehsize: r.u16(52),
    e_phentsize: r.u16(54),
    e_phnum: r.u16(56),
    e_shentsize: r.u16(58),
    e_shnum: r.u16(60),
    e_shstrndx: r.u16(62),
  };
}

function parseProgramHeaders(r: ByteReader, h: ElfHeader): ProgramHeader[] {
  const count = h.e_phnum === PN_XNUM ? extendedPhnum(r, h) : h.e_phnum;
  if (count === 0) return [];
  // A larger entry size is allowed by the gABI (the extra bytes are skipped); Linux itself
  // insists on exactly 56, which validateForExec checks.
  if (h.e_phentsize < ELF64_PHDR_SIZE) {
    throw new ElfError(`the program header entry size (e_phentsize) is ${h.e_phentsize}, smaller than ${ELF64_PHDR_SIZE}`);
  }
  // The table must be in the file before anything is allocated, which also bounds the count.
  checkInFile(r, h.e_phoff, count * h.e_phentsize,
    `the program header table (e_phoff ${hex(h.e_phoff)}) lies outside the file`, 'the program header table');
  const headers: ProgramHeader[] = [];
  for (let i = 0; i < count; i++) {
    const at = h.e_phoff + i * h.e_phentsize;
    const p_type = r.u32(at);
    const name = `program header ${i} (${segmentTypeName(p_type)})`;
    const outside = `program header ${i} lies outside the file`;
    const ph: ProgramHeader = {
      index: i,
      p_type,
      p_flags: r.u32(at + 4),
      p_offset: r.u64(at + 8, () => outside),
      p_vaddr: r.u64(at + 16, tooLargeMessage(`the p_vaddr of ${name}`)),
      p_paddr: r.u64(at + 24, tooLargeMessage(`the p_paddr of ${name}`)),
      p_filesz: r.u64(at + 32, () => outside),
      p_memsz: r.u64(at + 40, tooLargeMessage(`the p_memsz of ${name}`)),
      p_align: r.u64(at + 48, tooLargeMessage(`the p_align of ${name}`)),
    };
    // Every segment's file bytes must exist, so the loader can copy them without checking.
    checkInFile(r, ph.p_offset, ph.p_filesz, outside, name);
    headers.push(ph);
  }
  return headers;
}

/** With e_phnum == PN_XNUM, the real count is section 0's sh_info. */
function extendedPhnum(r: ByteReader, h: ElfHeader): number {
  if (h.e_shoff === 0 || h.e_shentsize < ELF64_SHDR_SIZE) {
    throw new ElfError('e_phnum is PN_XNUM (0xffff) but there is no section header 0 to hold the real count');
  }
  checkInFile(r, h.e_shoff, ELF64_SHDR_SIZE, 'section header 0, which holds the real e_phnum, lies outside the file', 'section header 0');
  return r.u32(h.e_shoff + 44);
}

function parseSections(r: ByteReader, h: ElfHeader): SectionHeader[] {
  if (h.e_shoff === 0) return [];
  if (h.e_shentsize < ELF64_SHDR_SIZE) {
    throw new ElfError(`the section header entry size (e_shentsize) is ${h.e_shentsize}, smaller than ${ELF64_SHDR_SIZE}`);
  }
  const outside = `the section header table (e_shoff ${hex(h.e_shoff)}) lies outside the file`;
  checkInFile(r, h.e_shoff, ELF64_SHDR_SIZE, outside, 'section header 0');
  // e_shnum 0 and e_shstrndx SHN_XINDEX are escapes for large counts: section 0 holds them.
  const count = h.e_shnum !== 0 ? h.e_shnum
    : r.u64(h.e_shoff + 32, tooLargeMessage('the section count (sh_size of section 0)'));
  checkInFile(r, h.e_shoff, count * h.e_shentsize, outside, 'the section header table');
  const shstrndx = h.e_shstrndx === SHN_XINDEX ? r.u32(h.e_shoff + 40) : h.e_shstrndx;
  if (shstrndx !== SHN_UNDEF && shstrndx >= count) {
    throw new ElfError(`the section name table index (e_shstrndx) is ${shstrndx}, but there are only ${count} sections`);
  }

  const raw = [];
  for (let i = 0; i < count; i++) {
    const at = h.e_shoff + i * h.e_shentsize;
    const field = (f: string) => tooLargeMessage(`the ${f} of section header ${i}`);
    raw.push({
      index: i,
      sh_name: r.u32(at),
      sh_type: r.u32(at + 4),
      sh_flags: r.u64(at + 8, field('sh_flags')),
      sh_addr: r.u64(at + 16, field('sh_addr')),
      sh_offset: r.u64(at + 24, () => `section ${i} lies outside the file`),
      sh_size: r.u64(at + 32, field('sh_size')),
      sh_link: r.u32(at + 40),
      sh_info: r.u32(at + 44),
      sh_addralign: r.u64(at + 48, field('sh_addralign')),
      sh_entsize: r.u64(at + 56, field('sh_entsize')),
    });
  }
  if (shstrndx === SHN_UNDEF) return raw.map((s) => ({ ...s, name: '' }));
  const strtab = raw[shstrndx];
  if (strtab.sh_type === SHT_NOBITS) {
    throw new ElfError(`the section name table (section ${shstrndx}) has no contents in the file`);
  }
  const what = `the section name table (section ${shstrndx})`;
  checkInFile(r, strtab.sh_offset, strtab.sh_size, `${what} lies outside the file`, what);
  const names = new StringTable(r.bytes.subarray(strtab.sh_offset, strtab.sh_offset + strtab.sh_size), '.shstrtab');
  return raw.map((s) => ({ ...s, name: names.get(s.sh_name) }));
}
