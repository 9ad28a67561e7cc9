/**
 * The disassembler against GNU objdump 2.40 itself: every instruction of a static glibc
 * binary, of a hand-written file with every instruction of the table, the whole compressed
 * encoding space and random words of every operation must disassemble to exactly objdump's
 * text. Needs the riscv64-linux-gnu cross tools; skipped (visibly) without them.
 */
import { strict as assert } from 'assert';
import * as fs from 'fs';
import { csrName, PrivSpec } from '../../src/isa/csr';
import { INSTRS, PRIVILEGED } from '../../src/isa/table';
import {
  assembleWords, buildEveryInsn, buildGlibcProgram, formatMismatches, globalPointer, missingTools,
  objdumpListing, parseListing, privSpecOf, randomTableWords, replay, symbolsFrom, tempDir, TOOLS,
} from './objdump';

describe('isa/disasm against objdump', function () {
  let dir = '';

  before(function () {
    const missing = missingTools();
    if (missing.length > 0) {
      console.log(`      skipped: ${missing.join(', ')} not installed`);
      this.skip();
    }
    dir = tempDir();
  });

  after(() => {
    if (dir !== '') fs.rmSync(dir, { recursive: true, force: true });
  });

  /** objdump -d of `elf`, replayed through our disassembler; returns the number of lines. */
  function compareWhole(elf: string): number {
    const listing = parseListing(objdumpListing(elf));
    const bad = replay(listing.lines, symbolsFrom(listing.lines), globalPointer(TOOLS.objdump, elf), privSpecOf(TOOLS.readelf, elf));
    assert.equal(bad.length, 0, `${bad.length} of ${listing.lines.length} lines differ:\n${formatMismatches(bad)}`);
    return listing.lines.length;
  }

  it('matches every instruction of a static glibc program', function () {
    const n = compareWhole(buildGlibcProgram(dir));
    console.log(`      ${n} lines compared`);
    assert.ok(n > 50000, `only ${n} instructions: the static link did not pull in glibc`);
  });

  it('matches every instruction of the table in every form (fixtures/every-insn.S)', function () {
    const n = compareWhole(buildEveryInsn(dir));
    console.log(`      ${n} lines compared`);
    assert.ok(n > 4000);
  });

  it('matches all 49152 compressed encodings, reserved ones included', function () {
    const halves: number[] = [];
    for (let h = 0; h < 0x10000; h++) if ((h & 3) !== 3) halves.push(h);
    assert.equal(compareWhole(assembleWords(dir, 'rvc', halves)), 49152);
  });

  it('matches random encodings of every operation and of the privileged instructions', function () {
    const words = randomTableWords(60000, 0x15a, [...INSTRS, ...PRIVILEGED]);
    assert.equal(compareWhole(assembleWords(dir, 'random', words)), 60000);
  });

  it('names every CSR as objdump does under each privileged-spec version', function () {
    // csrrs t0, csr, a1: no alias applies, so the CSR operand is always printed.
    const words = Array.from({ length: 4096 }, (_, csr) => ((csr << 20) | (11 << 15) | (2 << 12) | (5 << 7) | 0x73) >>> 0);
    for (const spec of ['1.9.1', '1.10', '1.11', '1.12'] as PrivSpec[]) {
      const obj = assembleWords(dir, `csr-${spec}`, words, [`-mpriv-spec=${spec}`], ['csrrs t0, 0x300, a1']);
      assert.equal(privSpecOf(TOOLS.readelf, obj), spec);
      const lines = parseListing(objdumpListing(obj)).lines.slice(1);
      assert.equal(lines.length, 4096);
      lines.forEach((l, csr) => assert.equal(l.text, `csrrs\tt0,${csrName(csr, spec)},a1`, `${spec} csr 0x${csr.toString(16)}`));
    }
  });
});
