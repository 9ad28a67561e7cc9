/**
 * Oracle test: everything `riscv64-linux-gnu-readelf -h -l -S -s --wide` prints about real
 * programs (a static hello, a PIE hello, and the cross toolchain's libc.so.6) must match what
 * parseElf reads — every header field, segment, section and symbol.
 */
import { strict as assert } from 'assert';
import { existsSync } from 'fs';
import {
  describeRiscvFlags, DT_FLAGS_1, ElfFile, parseElf, sectionTypeName, segmentTypeName, SHN_ABS, SHN_COMMON,
  SHN_UNDEF, STB_GLOBAL, STB_GNU_UNIQUE, STB_LOCAL, STB_WEAK, STT_COMMON, STT_FILE, STT_FUNC,
  STT_GNU_IFUNC, STT_NOTYPE, STT_OBJECT, STT_SECTION, STT_TLS, STV_DEFAULT, STV_HIDDEN,
  STV_INTERNAL, STV_PROTECTED,
} from '../../src/elf';
import { buildHello, CROSS_LIBC, GCC, READELF, readBytes, requireTool, runTool } from './guests';

const DF_1_PIE = 0x08000000;
const ELFOSABI_GNU = 3;
const SHF_GNU_RETAIN = 0x200000;

const TYPES: Record<string, number> = {
  NOTYPE: STT_NOTYPE, OBJECT: STT_OBJECT, FUNC: STT_FUNC, SECTION: STT_SECTION, FILE: STT_FILE,
  COMMON: STT_COMMON, TLS: STT_TLS, IFUNC: STT_GNU_IFUNC,
};
const BINDS: Record<string, number> = { LOCAL: STB_LOCAL, GLOBAL: STB_GLOBAL, WEAK: STB_WEAK, UNIQUE: STB_GNU_UNIQUE };
const VISIBILITIES: Record<string, number> = {
  DEFAULT: STV_DEFAULT, INTERNAL: STV_INTERNAL, HIDDEN: STV_HIDDEN, PROTECTED: STV_PROTECTED,
};
const SPECIAL_INDEXES: Record<string, number> = { UND: SHN_UNDEF, ABS: SHN_ABS, COM: SHN_COMMON };

/** readelf's section flag letters, lowest bit first (only the ones these files can carry). */
const SECTION_FLAG_LETTERS: [number, string][] = [
  [0x1, 'W'], [0x2, 'A'], [0x4, 'X'], [0x10, 'M'], [0x20, 'S'], [0x40, 'I'], [0x80, 'L'],
  [0x100, 'O'], [0x200, 'G'], [0x400, 'T'], [0x800, 'C'], [0x80000000, 'E'],
];

function sectionFlagLetters(flags: number, osabi: number): string {
  const letters = SECTION_FLAG_LETTERS.filter(([bit]) => flags & bit).map(([, letter]) => letter).join('');
  // glibc's sections carry SHF_GNU_RETAIN (0x200000): 'R' in a file marked OS/ABI GNU, and
  // otherwise, like any bit of SHF_MASKOS, one 'o'.
  if (osabi === ELFOSABI_GNU && flags & SHF_GNU_RETAIN) return letters + 'R';
  return letters + (flags & 0x0ff00000 ? 'o' : '');
}

function segmentFlagLetters(flags: number): string {
  return (flags & 4 ? 'R' : ' ') + (flags & 2 ? 'W' : ' ') + (flags & 1 ? 'E' : ' ');
}

/** readelf calls an ET_DYN a PIE when its DT_FLAGS_1 has DF_1_PIE. */
function isPie(elf: ElfFile): boolean {
  return elf.dynamic.some((d) => d.d_tag === DT_FLAGS_1 && (d.d_val & DF_1_PIE) !== 0);
}

/** Compares the ELF header block ("  Entry point address:   0x5b0") field by field. */
function checkHeader(elf: ElfFile, out: string): number {
  const h = elf.header;
  const block = out.slice(out.indexOf('ELF Header:'), out.indexOf('\n\n'));
  const fields = new Map<string, string>();
  for (const line of block.split('\n').slice(1)) {
    const m = /^\s+([^:]+):\s+(.*?)\s*$/.exec(line);
    assert.ok(m, `unexpected header line: ${line}`);
    // "Version" appears twice: e_ident's, then e_version.
    fields.set(fields.has(m[1]) ? `${m[1]} (e_version)` : m[1], m[2]);
  }
  const magic = Array.from(elf.bytes.subarray(0, 16), (b) => b.toString(16).padStart(2, '0')).join(' ');
  const expected: Record<string, string> = {
    'Magic': magic,
    'Class': h.ei_class === 2 ? 'ELF64' : '?',
    'Data': h.ei_data === 1 ? "2's complement, little endian" : '?',
    'Version': `${h.ei_version}${h.ei_version === 1 ? ' (current)' : ''}`,
    'OS/ABI': h.ei_osabi === 0 ? 'UNIX - System V' : h.ei_osabi === ELFOSABI_GNU ? 'UNIX - GNU' : '?',
    'ABI Version': String(h.ei_abiversion),
    'Type': h.e_type === 2 ? 'EXEC (Executable file)'
      : h.e_type === 3 ? (isPie(elf) ? 'DYN (Position-Independent Executable file)' : 'DYN (Shared object file)') : '?',
    'Machine': h.e_machine === 243 ? 'RISC-V' : '?',
    'Version (e_version)': `0x${h.e_version.toString(16)}`,
    'Entry point address': `0x${h.e_entry.toString(16)}`,
    'Start of program headers': `${h.e_phoff} (bytes into file)`,
    'Start of section headers': `${h.e_shoff} (bytes into file)`,
    'Flags': [`0x${h.e_flags.toString(16)}`, ...describeRiscvFlags(h.e_flags)].join(', '),
    'Size of this header': `${h.e_ehsize} (bytes)`,
    'Size of program headers': `${h.e_phentsize} (bytes)`,
    'Number of program headers': String(h.e_phnum),
    'Size of section headers': `${h.e_shentsize} (bytes)`,
    'Number of section headers': String(h.e_shnum),
    'Section header string table index': String(h.e_shstrndx),
  };
  assert.deepEqual(Object.fromEntries(fields), expected);
  return fields.size;
}

/** "  LOAD  0x000000 0x0000000000010000 0x0000000000010000 0x05a1c2 0x05a1c2 R E 0x1000" */
function checkSegments(elf: ElfFile, out: string): number {
  const rows = [...out.matchAll(/^ {2}(\S+)\s+0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) 0x([0-9a-f]+) (.{3}) 0x([0-9a-f]+)$/gm)];
  const ours = elf.programHeaders.map((ph) => [
    segmentTypeName(ph.p_type).slice(0, 14), ph.p_offset, ph.p_vaddr, ph.p_paddr, ph.p_filesz, ph.p_memsz,
    segmentFlagLetters(ph.p_flags), ph.p_align,
  ]);
  const theirs = rows.map((m) => [
    m[1], parseInt(m[2], 16), parseInt(m[3], 16), parseInt(m[4], 16), parseInt(m[5], 16), parseInt(m[6], 16),
    m[7], parseInt(m[8], 16),
  ]);
  assert.deepEqual(ours, theirs);
  const interp = /\[Requesting program interpreter: (.*)\]/.exec(out);
  assert.equal(elf.interpreter, interp?.[1]);
  return rows.length;
}

/** "  [ 1] .interp  PROGBITS  0000000000000270 000270 000021 00   A  0   0  1" */
function checkSections(elf: ElfFile, out: string): number {
  const rows = [...out.matchAll(/^ {2}\[\s*(\d+)\] (.*?)\s+(\S+(?: SECTION INDICES)?)\s+([0-9a-f]{16}) ([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+)\s+([A-Za-z]*)\s+(\d+)\s+(\d+)\s+(\d+)$/gm)];
  const ours = elf.sections.map((s) => [
    s.index, s.name, sectionTypeName(s.sh_type), s.sh_addr, s.sh_offset, s.sh_size, s.sh_entsize,
    sectionFlagLetters(s.sh_flags, elf.header.ei_osabi), s.sh_link, s.sh_info, s.sh_addralign,
  ]);
  const theirs = rows.map((m) => [
    Number(m[1]), m[2].trim(), m[3], parseInt(m[4], 16), parseInt(m[5], 16), parseInt(m[6], 16), parseInt(m[7], 16),
    m[8], Number(m[9]), Number(m[10]), Number(m[11]),
  ]);
  assert.deepEqual(ours, theirs);
  return rows.length;
}

/** "    7: 0000000000000668    24 FUNC    GLOBAL DEFAULT   12 main" per table. */
function checkSymbols(elf: ElfFile, out: string): number {
  let total = 0;
  for (const [, tableName, body] of out.matchAll(/^Symbol table '([^']+)' contains \d+ entries:\n.*\n((?:\s+\d+:.*\n?)*)/gm)) {
    const ours = tableName === '.dynsym' ? elf.dynsym : elf.symtab;
    const rows = body.trimEnd().split('\n').map((line) => {
      const m = /^\s+(\d+): ([0-9a-f]{16})\s+(\S+) (\S+)\s+(\S+)\s+(\S+)(?: \[[^\]]*\])?\s+(\S+) ?(.*)$/.exec(line);
      assert.ok(m, `unexpected symbol line: ${line}`);
      return m;
    });
    const theirs = rows.map((m) => [
      Number(m[1]), parseInt(m[2], 16), Number(m[3]), TYPES[m[4]], BINDS[m[5]], VISIBILITIES[m[6]],
      SPECIAL_INDEXES[m[7]] ?? Number(m[7]),
      // In .dynsym readelf appends the version from .gnu.version ("puts@GLIBC_2.27 (3)",
      // "memcpy@@GLIBC_2.27"); the name itself is bare. (In .symtab, ld writes "puts@GLIBC_2.27"
      // into the name itself.)
      tableName === '.dynsym' ? m[8].replace(/@.*$/, '') : m[8],
    ]);
    const mine = ours.map((s) => [s.index, s.st_value, s.st_size, s.type, s.bind, s.visibility, s.st_shndx, s.name]);
    assert.deepEqual(mine, theirs, `symbol table ${tableName}`);
    total += rows.length;
  }
  return total;
}

describe('elf: parseElf against riscv64-linux-gnu-readelf', function () {
  const cases: [string, () => string][] = [
    ['a static hello (ET_EXEC)', () => buildHello().staticPath],
    ['a PIE hello (ET_DYN with PT_INTERP)', () => buildHello().piePath],
    ['the cross libc.so.6 (a shared library)', () => CROSS_LIBC],
  ];
  for (const [title, path] of cases) {
    it(`reads ${title} exactly as readelf does`, function () {
      requireTool(this, GCC, READELF);
      if (!existsSync(path())) this.skip();
      const elf = parseElf(readBytes(path()));
      const out = runTool(READELF, ['-h', '-l', '-S', '-s', '--wide', path()]);
      const counts = {
        headerFields: checkHeader(elf, out),
        segments: checkSegments(elf, out),
        sections: checkSections(elf, out),
        symbols: checkSymbols(elf, out),
      };
      // The regexes must have matched the real listing, not nothing.
      assert.equal(counts.segments, elf.programHeaders.length);
      assert.equal(counts.sections, elf.sections.length);
      assert.equal(counts.symbols, elf.symtab.length + elf.dynsym.length);
      assert.ok(counts.segments > 0 && counts.sections > 0 && counts.symbols > 0);
    });
  }

  it('lists the shared libraries of the PIE hello like readelf -d', function () {
    requireTool(this, GCC, READELF);
    const { piePath } = buildHello();
    const elf = parseElf(readBytes(piePath));
    const out = runTool(READELF, ['-d', '--wide', piePath]);
    const theirs = [...out.matchAll(/^ 0x([0-9a-f]{16}) \((\w+)\)\s+(.*)$/gm)];
    assert.deepEqual(elf.dynamic.map((d) => d.d_tag), theirs.map((m) => parseInt(m[1], 16)).filter((t) => t !== 0));
    const needed = theirs.filter((m) => m[2] === 'NEEDED').map((m) => /\[(.*)\]/.exec(m[3])?.[1]);
    assert.deepEqual(elf.dynamic.filter((d) => d.d_tag === 1).map((d) => d.name), needed);
    assert.deepEqual(needed, ['libc.so.6']);
  });
});
