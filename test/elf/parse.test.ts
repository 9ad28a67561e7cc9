/**
 * parseElf on the tiny files of writer.ts (no toolchain needed): what it reads from a good
 * file, and the one sentence it gives for each kind of damage.
 */
import { strict as assert } from 'assert';
import {
  DT_NEEDED, DT_STRSZ, DT_STRTAB, ElfError, ELF64_PHDR_SIZE, ET_EXEC, parseElf, PN_XNUM,
  PT_GNU_STACK, PT_LOAD, PT_PHDR, STT_SECTION,
} from '../../src/elf';
import { buildTinyElf, DEFAULT_INTERPRETER, EHDR, edited, PHDR, SHDR } from './writer';

/** The ElfError message `run` throws; fails the test if it throws anything else or nothing. */
function elfError(run: () => unknown): string {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof ElfError, `expected an ElfError, got ${String(e)}`);
    return e.message;
  }
  assert.fail('expected an ElfError');
}

describe('elf: parseElf on a tiny static program', function () {
  const tiny = buildTinyElf();
  const elf = parseElf(tiny.bytes);

  it('reads the header and program headers', function () {
    assert.equal(elf.header.e_type, ET_EXEC);
    assert.equal(elf.header.e_entry, tiny.addr._start);
    assert.deepEqual(elf.programHeaders.map((p) => p.p_type), [PT_PHDR, PT_LOAD, PT_LOAD, PT_GNU_STACK]);
    const data = elf.programHeaders[tiny.ph.data];
    assert.equal(data.p_memsz - data.p_filesz, 0x20);
    assert.equal(elf.interpreter, undefined);
    assert.deepEqual(elf.dynamic, []);
  });

  it('reads sections by name, with .bss empty in the file', function () {
    assert.deepEqual(elf.sections.map((s) => s.name), ['', '.text', '.data', '.bss', '.symtab', '.strtab', '.shstrtab']);
    assert.deepEqual(Array.from(elf.section('.text') ?? []).slice(0, 4), [0x13, 0x05, 0x00, 0x00]);
    assert.equal(elf.section('.bss')?.length, 0);
    assert.equal(elf.section('.nothing'), undefined);
  });

  it('names section symbols after their section and lists functions and objects by address', function () {
    assert.equal(elf.symtab.length, 7);
    assert.equal(elf.symtab.find((s) => s.type === STT_SECTION)?.name, '.text');
    assert.deepEqual(elf.symbols().map((s) => [s.name, s.st_value, s.st_size]), [
      ['_start', tiny.addr._start, 12], ['helper', tiny.addr.helper, 4], ['counter', tiny.addr.counter, 8],
    ]);
  });

  it('names an address by a symbol only inside its st_size, as gdb does', function () {
    const s = elf.symbolizer();
    // The section symbol and the mapping symbol $x (both size 0) share _start's address and
    // would match it exactly, but only the function is a name objdump prints.
    assert.deepEqual(s.containing(tiny.addr._start), { name: '_start', offset: 0 });
    assert.deepEqual(s.containing(tiny.addr._start + 8), { name: '_start', offset: 8 });
    assert.deepEqual(s.containing(tiny.addr.helper + 3), { name: 'helper', offset: 3 });
    assert.equal(s.containing(tiny.addr.helper + 4), undefined);
    assert.deepEqual(s.containing(tiny.addr.counter + 7), { name: 'counter', offset: 7 });
    assert.equal(s.containing(tiny.addr.end + 4), undefined);
    assert.equal(s.containing(0x10000), undefined);
    assert.equal(s.endBefore(tiny.addr.end + 4), tiny.addr.counter + 8);
    assert.equal(s.endBefore(0x10000), undefined);
  });
});

describe('elf: parseElf on a tiny PIE', function () {
  const elf = parseElf(buildTinyElf({ pie: true }).bytes);

  it('reads PT_INTERP and the dynamic section with DT_NEEDED resolved', function () {
    assert.equal(elf.interpreter, DEFAULT_INTERPRETER);
    assert.deepEqual(elf.dynamic.map((d) => d.d_tag), [DT_NEEDED, DT_STRTAB, DT_STRSZ]);
    assert.equal(elf.dynamic[0].name, 'libc.so.6');
  });
});

describe('elf: parseElf refuses damage with one sentence', function () {
  const tiny = buildTinyElf();
  const pie = buildTinyElf({ pie: true });
  const n = tiny.bytes.length;
  const parse = (bytes: Uint8Array) => () => parseElf(bytes);
  const phdr = (i: number, field: keyof typeof PHDR) => tiny.phdrAt(i) + PHDR[field];
  const shdr = (i: number, field: keyof typeof SHDR) => tiny.shdrAt(i) + SHDR[field];
  const dataOff = Number(new DataView(tiny.bytes.buffer).getBigUint64(phdr(2, 'offset'), true));

  const cases: [string, () => unknown, string][] = [
    ['an empty file', parse(new Uint8Array(0)), 'the file is empty, not an ELF file'],
    ['a PE file', parse(new TextEncoder().encode('MZ\x90\x00')), 'not an ELF file'],
    ['the magic cut short', parse(tiny.bytes.subarray(0, 3)), 'file is truncated at 3 bytes; the ELF identification needs 16'],
    ['a 32-bit file', parse(edited(tiny.bytes, (e) => e.u8(EHDR.class, 1))), '32-bit ELF; Forkscope runs 64-bit RISC-V programs'],
    ['an unknown class', parse(edited(tiny.bytes, (e) => e.u8(EHDR.class, 9))), 'ELF class 9 is invalid (expected 2, 64-bit)'],
    ['a big-endian file', parse(edited(tiny.bytes, (e) => e.u8(EHDR.data, 2))), 'big-endian ELF; Forkscope runs little-endian RISC-V programs'],
    ['an x86-64 file', parse(edited(tiny.bytes, (e) => e.u16(EHDR.machine, 62))), 'ELF for x86-64, not RISC-V'],
    ['an unknown machine', parse(edited(tiny.bytes, (e) => e.u16(EHDR.machine, 4242))), 'ELF for machine 4242, not RISC-V'],
    ['a header cut short', parse(tiny.bytes.subarray(0, 40)), 'file is truncated at 40 bytes; the ELF header needs 64'],
    ['e_phoff near 2^64', parse(edited(tiny.bytes, (e) => e.u64(EHDR.phoff, 2n ** 64n - 8n))),
      'the program header table offset (e_phoff 0xfffffffffffffff8) lies outside the file'],
    ['e_phoff past the end', parse(edited(tiny.bytes, (e) => e.u64(EHDR.phoff, n + 8))),
      `the program header table (e_phoff 0x${(n + 8).toString(16)}) lies outside the file`],
    ['an e_phnum running off the end', parse(edited(tiny.bytes, (e) => e.u16(EHDR.phnum, 1000))),
      `file is truncated at ${n} bytes; the program header table needs ${64 + 1000 * ELF64_PHDR_SIZE}`],
    ['e_phentsize 0', parse(edited(tiny.bytes, (e) => e.u16(EHDR.phentsize, 0))),
      'the program header entry size (e_phentsize) is 0, smaller than 56'],
    ['a segment at 2^63', parse(edited(tiny.bytes, (e) => e.u64(phdr(2, 'offset'), 2n ** 63n))), 'program header 2 lies outside the file'],
    ['a segment past the end', parse(edited(tiny.bytes, (e) => e.u64(phdr(2, 'offset'), n + 0x1000))), 'program header 2 lies outside the file'],
    ['a segment running off the end', parse(edited(tiny.bytes, (e) => e.u64(phdr(2, 'filesz'), n))),
      `file is truncated at ${n} bytes; program header 2 (LOAD) needs ${dataOff + n}`],
    ['a file cut inside its data', parse(tiny.bytes.subarray(0, dataOff + 4)),
      `file is truncated at ${dataOff + 4} bytes; program header 2 (LOAD) needs ${dataOff + 16}`],
    ['an address beyond 2^53', parse(edited(tiny.bytes, (e) => e.u64(phdr(1, 'vaddr'), 2n ** 60n))),
      'the p_vaddr of program header 1 (LOAD) is 0x1000000000000000, too large for Forkscope to represent exactly'],
    ['e_shoff near 2^64', parse(edited(tiny.bytes, (e) => e.u64(EHDR.shoff, 2n ** 64n - 1n))),
      'the section header table offset (e_shoff 0xffffffffffffffff) lies outside the file'],
    ['PN_XNUM without section 0', parse(edited(tiny.bytes, (e) => { e.u16(EHDR.phnum, PN_XNUM); e.u64(EHDR.shoff, 0); })),
      'e_phnum is PN_XNUM (0xffff) but there is no section header 0 to hold the real count'],
  ];
  for (const [what, run, message] of cases) {
    it(`${what}: "${message}"`, function () {
      assert.equal(elfError(run), message);
    });
  }

  // Linux never reads section headers, so damage there must not stop parseElf: it surfaces as
  // an ElfError only when sections or symbols are asked for.
  const lazy: [string, Uint8Array, (elf: ReturnType<typeof parseElf>) => unknown, string][] = [
    ['e_shentsize 0', edited(tiny.bytes, (e) => e.u16(EHDR.shentsize, 0)), (elf) => elf.sections,
      'the section header entry size (e_shentsize) is 0, smaller than 64'],
    ['e_shoff past the end', edited(tiny.bytes, (e) => e.u64(EHDR.shoff, n)), (elf) => elf.sections,
      `the section header table (e_shoff 0x${n.toString(16)}) lies outside the file`],
    ['e_shstrndx out of range', edited(tiny.bytes, (e) => e.u16(EHDR.shstrndx, 99)), (elf) => elf.sections,
      'the section name table index (e_shstrndx) is 99, but there are only 7 sections'],
    ['a section beyond the file', edited(tiny.bytes, (e) => e.u64(shdr(1, 'offset'), n)), (elf) => elf.section('.text'),
      'section 1 (.text) lies outside the file'],
    ['a string table without NUL', edited(tiny.bytes, (e) => {
      const at = e.readU64(shdr(5, 'offset'));
      const size = e.readU64(shdr(5, 'size'));
      for (let i = at; i < at + size; i++) e.u8(i, 0x41);
    }), (elf) => elf.symtab, 'the name at offset 0 in .strtab is not NUL-terminated'],
    ['a symbol table with 0-byte entries', edited(tiny.bytes, (e) => e.u64(shdr(4, 'entsize'), 0)), (elf) => elf.symbols(),
      'symbol table .symtab (section 4) has entries of 0 bytes, not 24'],
    ['a symbol table linked to a non-string table', edited(tiny.bytes, (e) => e.u32(shdr(4, 'link'), 1)), (elf) => elf.symtab,
      'symbol table .symtab (section 4) links to section 1, which is not a string table'],
    ['DT_STRTAB outside every segment', edited(pie.bytes, (e) => {
      // The second dynamic entry is DT_STRTAB; its value is 8 bytes into it.
      const dynamic = e.readU64(pie.phdrAt(pie.ph.dynamic ?? -1) + PHDR.offset);
      e.u64(dynamic + 16 + 8, 0x7777777);
    }),
      (elf) => elf.dynamic, 'the dynamic string table (DT_STRTAB 0x7777777) is not in the file part of any PT_LOAD segment'],
  ];
  for (const [what, bytes, use, message] of lazy) {
    it(`${what}: parses, then "${message}"`, function () {
      const elf = parseElf(bytes);
      assert.equal(elfError(() => use(elf)), message);
    });
  }
});
