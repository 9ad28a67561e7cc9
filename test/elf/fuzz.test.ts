/**
 * Fuzz test: whatever the bytes, parseElf and everything reachable from its result either
 * works or throws one ElfError with a one-line message — never another exception, never a
 * hang (mocha's timeout would catch one). Inputs are derived from the tiny programs of
 * writer.ts (so this runs everywhere) and from real gcc output when the toolchain is there:
 * truncations at every interesting offset, seeded random bit flips, substitutions of absurd
 * values into header fields, and the classic malformations.
 */
import { strict as assert } from 'assert';
import {
  ELF64_PHDR_SIZE, ELF64_SHDR_SIZE, ElfError, ElfFile, parseElf, PN_XNUM, PT_INTERP, PT_LOAD, PT_NULL,
  validateForExec,
} from '../../src/elf';
import { buildHello, GCC, readBytes, requireTool } from './guests';
import { buildTinyElf, EHDR, edited, Editor, PHDR, SHDR } from './writer';

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Tally { parsed: number; refused: number; lazyErrors: number }

/** Asserts that `e` is an ElfError with a one-line sentence; anything else fails the test. */
function checkError(e: unknown, label: string): void {
  if (!(e instanceof ElfError)) {
    throw new assert.AssertionError({ message: `${label}: threw ${e instanceof Error ? e.stack : String(e)}` });
  }
  assert.match(e.message, /^[^\n]+$/, `${label}: message "${e.message}"`);
  assert.ok(!e.message.endsWith('.'), `${label}: message "${e.message}" ends with a period`);
}

/** Calls `use` and accepts either a result or one ElfError; returns whether it threw. */
function tolerant(use: () => unknown, label: string): boolean {
  try {
    use();
    return false;
  } catch (e) {
    checkError(e, label);
    return true;
  }
}

/** Parses, validates, and walks every lazily read part of the file. */
function exercise(bytes: Uint8Array, label: string, tally: Tally): void {
  let elf: ElfFile;
  try {
    elf = parseElf(bytes);
  } catch (e) {
    checkError(e, label);
    tally.refused++;
    return;
  }
  tally.parsed++;
  // validateForExec only reads what parseElf checked: it answers, it never throws.
  const why = validateForExec(elf);
  if (why !== undefined) assert.match(why, /^[^\n]+$/);
  const uses: [string, () => unknown][] = [
    ['sections', () => elf.sections.forEach((s) => elf.sectionData(s))],
    ['section', () => elf.section('.text')],
    ['symtab', () => elf.symtab],
    ['dynsym', () => elf.dynsym],
    ['symbols', () => elf.symbols()],
    ['address lookups', () => [elf.header.e_entry, 0, 2 ** 53 - 1, ...elf.symbols().slice(0, 50).map((s) => s.st_value + 1)]
      .forEach((a) => [elf.symbolizer().containing(a), elf.symbolizer().endBefore(a)])],
    ['buildId', () => elf.buildId],
    ['debugLink', () => elf.debugLink],
    ['dynamic', () => elf.dynamic],
  ];
  for (const [what, use] of uses) {
    if (tolerant(use, `${label}: ${what}`)) tally.lazyErrors++;
  }
}

/** Where the headers of a (possibly real) file are, read leniently from its bytes. */
function layout(bytes: Uint8Array): { phoff: number; phnum: number; shoff: number; shnum: number; ranges: [number, number][] } {
  const elf = parseElf(bytes);
  const h = elf.header;
  const ranges: [number, number][] = [
    ...elf.programHeaders.map((p): [number, number] => [p.p_offset, p.p_offset + p.p_filesz]),
    ...elf.sections.map((s): [number, number] => [s.sh_offset, s.sh_offset + s.sh_size]),
  ];
  return { phoff: h.e_phoff, phnum: elf.programHeaders.length, shoff: h.e_shoff, shnum: elf.sections.length, ranges };
}

/** Lengths at which to cut a file: all of the headers byte by byte, and around every boundary. */
function truncationPoints(bytes: Uint8Array): number[] {
  const l = layout(bytes);
  const points = new Set<number>();
  const headersEnd = Math.max(64, l.phoff + l.phnum * ELF64_PHDR_SIZE) + 1;
  for (let i = 0; i <= Math.min(headersEnd, bytes.length); i++) points.add(i);
  const boundaries = [...l.ranges.flat(), l.shoff, l.shoff + l.shnum * ELF64_SHDR_SIZE, bytes.length];
  for (let i = 0; i < l.shnum; i++) boundaries.push(l.shoff + i * ELF64_SHDR_SIZE);
  for (const b of boundaries) for (const d of [-1, 0, 1]) if (b + d >= 0 && b + d < bytes.length) points.add(b + d);
  return [...points].sort((a, b) => a - b);
}

/** Values that break naive readers: zero, all ones, around 2^32, 2^53 and 2^64, the file size. */
function nastyValues(fileSize: number): bigint[] {
  return [0n, 1n, 7n, 0xffffn, 0x7fffffffn, 0xffffffffn, 2n ** 32n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 63n,
    2n ** 64n - 1n, 2n ** 64n - 8n, BigInt(fileSize - 1), BigInt(fileSize), BigInt(fileSize + 1)];
}

/** Every header field of the file, as [offset, size in bytes]. */
function headerFields(bytes: Uint8Array): [number, number][] {
  const l = layout(bytes);
  const fields: [number, number][] = Object.values(EHDR).map((at): [number, number] =>
    [at, at === EHDR.class || at === EHDR.data ? 1 : at >= 52 ? 2 : at === EHDR.type || at === EHDR.machine ? 2 : 8]);
  for (let i = 0; i < l.phnum; i++) {
    for (const at of Object.values(PHDR)) fields.push([l.phoff + i * ELF64_PHDR_SIZE + at, at < 8 ? 4 : 8]);
  }
  for (let i = 0; i < l.shnum; i++) {
    for (const at of Object.values(SHDR)) fields.push([l.shoff + i * ELF64_SHDR_SIZE + at, at < 8 || at === 40 || at === 44 ? 4 : 8]);
  }
  return fields;
}

function setField(e: Editor, at: number, size: number, value: bigint): void {
  if (size === 1) e.u8(at, Number(value & 0xffn));
  else if (size === 2) e.u16(at, Number(value & 0xffffn));
  else if (size === 4) e.u32(at, Number(value & 0xffffffffn));
  else e.u64(at, value & (2n ** 64n - 1n));
}

/** The classic malformations, each applied to the file; every one must be refused somewhere. */
function malformations(bytes: Uint8Array): [string, Uint8Array][] {
  const elf = parseElf(bytes);
  const h = elf.header;
  const phdr = (i: number, field: keyof typeof PHDR) => h.e_phoff + i * ELF64_PHDR_SIZE + PHDR[field];
  const loads = elf.programHeaders.filter((p) => p.p_type === PT_LOAD).map((p) => p.index);
  const interp = elf.programHeaders.find((p) => p.p_type === PT_INTERP)?.index;
  const list: [string, (e: Editor) => void][] = [
    ['32-bit class', (e) => e.u8(EHDR.class, 1)],
    ['big-endian', (e) => e.u8(EHDR.data, 2)],
    ['x86-64 machine', (e) => e.u16(EHDR.machine, 62)],
    ['relocatable type', (e) => e.u16(EHDR.type, 1)],
    ['e_phoff near 2^64', (e) => e.u64(EHDR.phoff, 2n ** 64n - 56n)],
    ['e_shoff near 2^64', (e) => e.u64(EHDR.shoff, 2n ** 64n - 64n)],
    ['e_phnum 65535', (e) => e.u16(EHDR.phnum, PN_XNUM)],
    ['e_phnum 65534', (e) => e.u16(EHDR.phnum, 0xfffe)],
    ['overlapping segments', (e) => e.u64(phdr(loads[0], 'memsz'), elf.programHeaders[loads[1]].p_vaddr - elf.programHeaders[loads[0]].p_vaddr + 0x1000)],
    ['p_filesz > p_memsz', (e) => e.u64(phdr(loads[1], 'memsz'), 0)],
    ['no PT_LOAD', (e) => loads.forEach((i) => e.u32(phdr(i, 'type'), PT_NULL))],
  ];
  if (interp !== undefined) {
    const p = elf.programHeaders[interp];
    list.push(
      ['PT_INTERP without NUL', (e) => e.u8(p.p_offset + p.p_filesz - 1, 0x41)],
      ['PT_INTERP outside the file', (e) => e.u64(phdr(interp, 'offset'), bytes.length + 0x100)],
      ['PT_INTERP running off the end', (e) => e.u64(phdr(interp, 'offset'), bytes.length - 3)],
    );
  }
  return list.map(([what, change]) => [what, edited(bytes, change)]);
}

function fuzz(name: string, bytes: Uint8Array, seed: number, rounds: number): Tally {
  const tally: Tally = { parsed: 0, refused: 0, lazyErrors: 0 };
  for (const cut of truncationPoints(bytes)) exercise(bytes.subarray(0, cut), `${name} cut at ${cut}`, tally);

  const rand = random(seed);
  const pick = (n: number) => Math.floor(rand() * n);
  const l = layout(bytes);
  const headersEnd = Math.max(64, l.phoff + l.phnum * ELF64_PHDR_SIZE);
  for (let round = 0; round < rounds; round++) {
    const flips = 1 + pick(4);
    const positions: number[] = [];
    const mutated = edited(bytes, (e) => {
      for (let k = 0; k < flips; k++) {
        // Mostly where the structure is: the headers, the section table, then anywhere.
        const zone = rand();
        const at = zone < 0.6 ? pick(headersEnd)
          : zone < 0.85 && l.shnum > 0 ? l.shoff + pick(l.shnum * ELF64_SHDR_SIZE) : pick(bytes.length);
        positions.push(at);
        e.u8(at, bytes[at] ^ (1 << pick(8)));
      }
    });
    exercise(mutated, `${name} seed ${seed} round ${round}: bits flipped at ${positions.join(',')}`, tally);
  }

  const fields = headerFields(bytes);
  const values = nastyValues(bytes.length);
  for (let round = 0; round < rounds; round++) {
    const [at, size] = fields[pick(fields.length)];
    const value = rand() < 0.8 ? values[pick(values.length)] : BigInt(pick(2 ** 32)) * BigInt(pick(2 ** 32));
    exercise(edited(bytes, (e) => setField(e, at, size, value)), `${name}: field at ${at} set to 0x${value.toString(16)}`, tally);
  }

  for (const [what, mutated] of malformations(bytes)) {
    const before = tally.refused;
    exercise(mutated, `${name}: ${what}`, tally);
    const refusedByParse = tally.refused > before;
    assert.ok(refusedByParse || validateForExec(parseElf(mutated)) !== undefined, `${name}: ${what} was accepted`);
  }
  return tally;
}

describe('elf: fuzzing parseElf and validateForExec', function () {
  it('survives damage to a tiny static program', function () {
    const tally = fuzz('tiny static', buildTinyElf().bytes, 1, 3000);
    // Sanity: the damage reached every outcome.
    assert.ok(tally.parsed > 1000 && tally.refused > 1000 && tally.lazyErrors > 100, JSON.stringify(tally));
  });

  it('survives damage to a tiny PIE', function () {
    const tally = fuzz('tiny PIE', buildTinyElf({ pie: true }).bytes, 2, 3000);
    assert.ok(tally.parsed > 1000 && tally.refused > 1000 && tally.lazyErrors > 100, JSON.stringify(tally));
  });

  it('survives damage to a real static and a real PIE hello', function () {
    requireTool(this, GCC);
    const { staticPath, piePath } = buildHello();
    // Fewer rounds than for the tiny files: each one copies and reads half a megabyte.
    for (const [name, path, seed] of [['static hello', staticPath, 3], ['PIE hello', piePath, 4]] as const) {
      const tally = fuzz(name, readBytes(path), seed, 400);
      assert.ok(tally.parsed > 200 && tally.refused > 200, `${name}: ${JSON.stringify(tally)}`);
    }
  });

  it('bounds absurd counts and sizes', function () {
    const tiny = buildTinyElf();
    const shdr0 = tiny.shdrAt(0);
    const cases: [string, (e: Editor) => void][] = [
      ['PN_XNUM with 2^32-1 in section 0', (e) => { e.u16(EHDR.phnum, PN_XNUM); e.u32(shdr0 + SHDR.info, 0xffffffff); }],
      ['e_shnum 0 with 2^40 in section 0', (e) => { e.u16(EHDR.shnum, 0); e.u64(shdr0 + SHDR.size, 2n ** 40n); }],
      ['e_shstrndx SHN_XINDEX with 2^32-1 in section 0', (e) => { e.u16(EHDR.shstrndx, 0xffff); e.u32(shdr0 + SHDR.link, 0xffffffff); }],
      ['e_shentsize 0', (e) => e.u16(EHDR.shentsize, 0)],
      ['e_phentsize 65535', (e) => e.u16(EHDR.phentsize, 0xffff)],
      ['.symtab of 2^50 bytes', (e) => e.u64(tiny.shdrAt(4) + SHDR.size, 2n ** 50n)],
    ];
    const tally: Tally = { parsed: 0, refused: 0, lazyErrors: 0 };
    for (const [what, change] of cases) exercise(edited(tiny.bytes, change), what, tally);
    assert.equal(tally.parsed + tally.refused, cases.length);
    assert.ok(tally.refused + tally.lazyErrors >= cases.length, JSON.stringify(tally));
  });
});
