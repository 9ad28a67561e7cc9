/**
 * A tiny ELF64 RISC-V writer for tests that must run without the cross toolchain: it lays out
 * a small but complete program the way GNU ld would (headers in the first PT_LOAD, a data
 * segment with .bss, symbols, and for a PIE an interpreter and a dynamic section), and tells
 * the test where every header is so it can damage the file precisely.
 */
import {
  DT_NEEDED, DT_NULL, DT_STRSZ, DT_STRTAB, EF_RISCV_FLOAT_ABI_DOUBLE, EF_RISCV_RVC, ELF64_DYN_SIZE,
  ELF64_EHDR_SIZE, ELF64_PHDR_SIZE, ELF64_SHDR_SIZE, ELF64_SYM_SIZE, EM_RISCV, ET_DYN, ET_EXEC,
  PF_R, PF_W, PF_X, PT_DYNAMIC, PT_GNU_STACK, PT_INTERP, PT_LOAD, PT_PHDR, SHF_ALLOC, SHF_EXECINSTR,
  SHF_WRITE, SHN_ABS, SHT_DYNAMIC, SHT_NOBITS, SHT_PROGBITS, SHT_STRTAB, SHT_SYMTAB, STB_GLOBAL,
  STB_LOCAL, STT_FILE, STT_FUNC, STT_NOTYPE, STT_OBJECT, STT_SECTION,
} from '../../src/elf';

export const DEFAULT_INTERPRETER = '/lib/ld-linux-riscv64-lp64d.so.1';

/** _start: li a0,0; li a7,93; ecall (exit(0)).  helper: ret. */
const CODE = [0x00000513, 0x05d00893, 0x00000073, 0x00008067];
const START_SIZE = 12;
const BSS_SIZE = 0x20;

export interface TinyElf {
  readonly bytes: Uint8Array;
  /** File offset of program header i / section header i. */
  phdrAt(i: number): number;
  shdrAt(i: number): number;
  /** Program header index of each segment (interp and dynamic only in a PIE). */
  readonly ph: { phdr: number; interp?: number; text: number; data: number; dynamic?: number; stack: number };
  /** Addresses of the symbols and the end of the loaded image. */
  readonly addr: { _start: number; helper: number; counter: number; end: number };
}

interface Section {
  name: string;
  type: number;
  flags: number;
  addr: number;
  offset: number;
  size: number;
  link: number;
  info: number;
  align: number;
  entsize: number;
}

/** Strings of a string table, each added once, with their offsets. */
class Strings {
  private text = '\0';
  add(s: string): number {
    // An existing string, or the tail of one (".plt" inside ".rela.plt"), is reused.
    const at = this.text.indexOf(s + '\0');
    if (at >= 0) return at;
    this.text += s + '\0';
    return this.text.length - s.length - 1;
  }
  bytes(): Uint8Array {
    return new TextEncoder().encode(this.text);
  }
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

export function buildTinyElf(options: { pie?: boolean; interpreter?: string } = {}): TinyElf {
  const pie = options.pie ?? false;
  const interpreter = pie ? (options.interpreter ?? DEFAULT_INTERPRETER) : undefined;
  const base = pie ? 0 : 0x10000;
  const phnum = pie ? 6 : 4;

  // File layout, in order: ELF header, program headers, interpreter path, code, data
  // (+ .dynamic and .dynstr in a PIE), symbols, strings, section names, section headers.
  const interpOff = ELF64_EHDR_SIZE + phnum * ELF64_PHDR_SIZE;
  const interpBytes = new TextEncoder().encode(interpreter === undefined ? '' : interpreter + '\0');
  const textOff = alignUp(interpOff + interpBytes.length, 4);
  const textSize = CODE.length * 4;
  const dataOff = alignUp(textOff + textSize, 8);
  const dataSize = 16;
  // The data segment starts a page above the text, at the same offset within its page.
  const dataAddr = (off: number) => base + 0x1000 + off;
  const dynstr = new Strings();
  const libc = dynstr.add('libc.so.6');
  const dynstrBytes = dynstr.bytes();
  const dynOff = dataOff + dataSize;
  const dynEntries = pie ? 4 : 0;
  const dynstrOff = dynOff + dynEntries * ELF64_DYN_SIZE;
  const dataEnd = pie ? dynstrOff + dynstrBytes.length : dynOff;
  const bssAddr = dataAddr(dataEnd);

  const strtab = new Strings();
  const symbols: [name: number, info: number, shndxName: string, value: number, size: number][] = [];
  const sections: Section[] = [];
  const shstrtab = new Strings();
  const section = (s: Omit<Section, 'link' | 'info' | 'entsize'> & Partial<Section>) => {
    sections.push({ link: 0, info: 0, entsize: 0, ...s });
    shstrtab.add(s.name);
    return sections.length - 1;
  };
  section({ name: '', type: 0, flags: 0, addr: 0, offset: 0, size: 0, align: 0 });
  if (pie) section({ name: '.interp', type: SHT_PROGBITS, flags: SHF_ALLOC, addr: base + interpOff, offset: interpOff, size: interpBytes.length, align: 1 });
  section({ name: '.text', type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXECINSTR, addr: base + textOff, offset: textOff, size: textSize, align: 4 });
  section({ name: '.data', type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_WRITE, addr: dataAddr(dataOff), offset: dataOff, size: dataSize, align: 8 });
  if (pie) {
    // .dynamic links to .dynstr, the next section.
    section({ name: '.dynamic', type: SHT_DYNAMIC, flags: SHF_ALLOC | SHF_WRITE, addr: dataAddr(dynOff), offset: dynOff, size: dynEntries * ELF64_DYN_SIZE, align: 8, link: sections.length + 1, entsize: ELF64_DYN_SIZE });
    section({ name: '.dynstr', type: SHT_STRTAB, flags: SHF_ALLOC, addr: dataAddr(dynstrOff), offset: dynstrOff, size: dynstrBytes.length, align: 1 });
  }
  section({ name: '.bss', type: SHT_NOBITS, flags: SHF_ALLOC | SHF_WRITE, addr: bssAddr, offset: dataEnd, size: BSS_SIZE, align: 1 });

  const addr = { _start: base + textOff, helper: base + textOff + START_SIZE, counter: dataAddr(dataOff), end: bssAddr + BSS_SIZE };
  symbols.push(
    [0, 0, '', 0, 0],
    [strtab.add('tiny.c'), (STB_LOCAL << 4) | STT_FILE, '*ABS*', 0, 0],
    [0, (STB_LOCAL << 4) | STT_SECTION, '.text', addr._start, 0],
    [strtab.add('$x'), (STB_LOCAL << 4) | STT_NOTYPE, '.text', addr._start, 0],
    [strtab.add('helper'), (STB_LOCAL << 4) | STT_FUNC, '.text', addr.helper, 4],
    [strtab.add('_start'), (STB_GLOBAL << 4) | STT_FUNC, '.text', addr._start, START_SIZE],
    [strtab.add('counter'), (STB_GLOBAL << 4) | STT_OBJECT, '.data', addr.counter, 8],
  );
  const firstGlobal = 5;
  const strtabBytes = strtab.bytes();
  const symtabOff = alignUp(dataEnd, 8);
  const strtabOff = symtabOff + symbols.length * ELF64_SYM_SIZE;
  const symtabIndex = sections.length;
  section({ name: '.symtab', type: SHT_SYMTAB, flags: 0, addr: 0, offset: symtabOff, size: symbols.length * ELF64_SYM_SIZE, align: 8, link: symtabIndex + 1, info: firstGlobal, entsize: ELF64_SYM_SIZE });
  section({ name: '.strtab', type: SHT_STRTAB, flags: 0, addr: 0, offset: strtabOff, size: strtabBytes.length, align: 1 });
  const shstrtabOff = strtabOff + strtabBytes.length;
  shstrtab.add('.shstrtab');
  const shstrtabBytes = shstrtab.bytes();
  section({ name: '.shstrtab', type: SHT_STRTAB, flags: 0, addr: 0, offset: shstrtabOff, size: shstrtabBytes.length, align: 1 });
  const shoff = alignUp(shstrtabOff + shstrtabBytes.length, 8);
  const fileSize = shoff + sections.length * ELF64_SHDR_SIZE;

  const bytes = new Uint8Array(fileSize);
  const view = new DataView(bytes.buffer);
  const u16 = (at: number, v: number) => view.setUint16(at, v, true);
  const u32 = (at: number, v: number) => view.setUint32(at, v, true);
  const u64 = (at: number, v: number) => view.setBigUint64(at, BigInt(v), true);

  bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
  u16(16, pie ? ET_DYN : ET_EXEC);
  u16(18, EM_RISCV);
  u32(20, 1);
  u64(24, addr._start);
  u64(32, ELF64_EHDR_SIZE);
  u64(40, shoff);
  u32(48, EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_DOUBLE);
  u16(52, ELF64_EHDR_SIZE);
  u16(54, ELF64_PHDR_SIZE);
  u16(56, phnum);
  u16(58, ELF64_SHDR_SIZE);
  u16(60, sections.length);
  u16(62, sections.length - 1);

  const phdrAt = (i: number) => ELF64_EHDR_SIZE + i * ELF64_PHDR_SIZE;
  const segments: [type: number, flags: number, offset: number, vaddr: number, filesz: number, memsz: number, align: number][] = [
    [PT_PHDR, PF_R, ELF64_EHDR_SIZE, base + ELF64_EHDR_SIZE, phnum * ELF64_PHDR_SIZE, phnum * ELF64_PHDR_SIZE, 8],
  ];
  const ph: { phdr: number; interp?: number; text: number; data: number; dynamic?: number; stack: number } = { phdr: 0, text: 0, data: 0, stack: 0 };
  if (pie) {
    ph.interp = segments.length;
    segments.push([PT_INTERP, PF_R, interpOff, base + interpOff, interpBytes.length, interpBytes.length, 1]);
  }
  ph.text = segments.length;
  segments.push([PT_LOAD, PF_R | PF_X, 0, base, textOff + textSize, textOff + textSize, 0x1000]);
  ph.data = segments.length;
  segments.push([PT_LOAD, PF_R | PF_W, dataOff, dataAddr(dataOff), dataEnd - dataOff, dataEnd - dataOff + BSS_SIZE, 0x1000]);
  if (pie) {
    ph.dynamic = segments.length;
    segments.push([PT_DYNAMIC, PF_R | PF_W, dynOff, dataAddr(dynOff), dynEntries * ELF64_DYN_SIZE, dynEntries * ELF64_DYN_SIZE, 8]);
  }
  ph.stack = segments.length;
  segments.push([PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0, 16]);
  segments.forEach(([type, flags, offset, vaddr, filesz, memsz, align], i) => {
    const at = phdrAt(i);
    u32(at, type);
    u32(at + 4, flags);
    u64(at + 8, offset);
    u64(at + 16, vaddr);
    u64(at + 24, vaddr);
    u64(at + 32, filesz);
    u64(at + 40, memsz);
    u64(at + 48, align);
  });

  bytes.set(interpBytes, interpOff);
  CODE.forEach((insn, i) => u32(textOff + 4 * i, insn));
  u64(dataOff, 42); // counter's initial value
  if (pie) {
    [[DT_NEEDED, libc], [DT_STRTAB, dataAddr(dynstrOff)], [DT_STRSZ, dynstrBytes.length], [DT_NULL, 0]]
      .forEach(([tag, val], i) => {
        u64(dynOff + i * ELF64_DYN_SIZE, tag);
        u64(dynOff + i * ELF64_DYN_SIZE + 8, val);
      });
    bytes.set(dynstrBytes, dynstrOff);
  }
  symbols.forEach(([name, info, shndxName, value, size], i) => {
    const at = symtabOff + i * ELF64_SYM_SIZE;
    u32(at, name);
    bytes[at + 4] = info;
    u16(at + 6, shndxName === '*ABS*' ? SHN_ABS : Math.max(0, sections.findIndex((s) => s.name === shndxName)));
    u64(at + 8, value);
    u64(at + 16, size);
  });
  bytes.set(strtabBytes, strtabOff);
  bytes.set(shstrtabBytes, shstrtabOff);
  const shdrAt = (i: number) => shoff + i * ELF64_SHDR_SIZE;
  sections.forEach((s, i) => {
    const at = shdrAt(i);
    u32(at, s.name === '' ? 0 : shstrtab.add(s.name));
    u32(at + 4, s.type);
    u64(at + 8, s.flags);
    u64(at + 16, s.addr);
    u64(at + 24, s.offset);
    u64(at + 32, s.size);
    u32(at + 40, s.link);
    u32(at + 44, s.info);
    u64(at + 48, s.align);
    u64(at + 56, s.entsize);
  });
  return { bytes, phdrAt, shdrAt, ph, addr };
}

/** Field setters over a copy of a file, for damaging it on purpose. */
export interface Editor {
  u8(at: number, v: number): void;
  u16(at: number, v: number): void;
  u32(at: number, v: number): void;
  u64(at: number, v: number | bigint): void;
  readU64(at: number): number;
}

/** A copy of `bytes` with `change` applied (and optionally `extra` bytes appended first). */
export function edited(bytes: Uint8Array, change: (e: Editor) => void, extra?: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes.length + (extra?.length ?? 0));
  copy.set(bytes);
  if (extra !== undefined) copy.set(extra, bytes.length);
  const view = new DataView(copy.buffer);
  change({
    u8: (at, v) => view.setUint8(at, v),
    u16: (at, v) => view.setUint16(at, v, true),
    u32: (at, v) => view.setUint32(at, v, true),
    u64: (at, v) => view.setBigUint64(at, BigInt(v), true),
    readU64: (at) => Number(view.getBigUint64(at, true)),
  });
  return copy;
}

/** Offsets of fields inside the ELF64 structures. */
export const EHDR = { class: 4, data: 5, type: 16, machine: 18, entry: 24, phoff: 32, shoff: 40, phentsize: 54, phnum: 56, shentsize: 58, shnum: 60, shstrndx: 62 } as const;
export const PHDR = { type: 0, flags: 4, offset: 8, vaddr: 16, paddr: 24, filesz: 32, memsz: 40, align: 48 } as const;
export const SHDR = { name: 0, type: 4, flags: 8, addr: 16, offset: 24, size: 32, link: 40, info: 44, addralign: 48, entsize: 56 } as const;
