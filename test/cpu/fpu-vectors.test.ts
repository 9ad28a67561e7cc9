/**
 * executeFp against qemu-riscv64: every vector in fpu-vectors.txt.gz (made by
 * scripts/fpu-vectors/gen.c running under qemu, whose softfloat is exact) must produce the
 * same result register and the same fflags. A second test regenerates the vectors when the
 * cross compiler and qemu are installed and checks the committed fixture is still theirs.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { Op } from '../../src/isa/ops';
import { CpuState } from '../../src/cpu/state';
import { executeFp } from '../../src/cpu/fpu';
import { CC, FIXTURE, generateVectors, haveTool, QEMU } from '../../scripts/fpu-vectors/generate';

/** Registers the vectors use: FP sources f1–f3, FP destination f4, x5 source, x6 destination. */
const F_SRC = [1, 2, 3];
const F_DST = 4;
const X_SRC = 5;
const X_DST = 6;
/** Written to the destination first, so a missing write shows up. */
const JUNK_HI = 0x12345678;
const JUNK_LO = 0x9abcdef0 | 0;

interface Section {
  op: Op;
  name: string;
  /** Per source operand 'f' or 'x', then the destination kind. */
  sources: string;
  dest: string;
  lines: string[];
  legality: string[];
}

function parseFixture(text: string): Section[] {
  const sections: Section[] = [];
  let cur: Section | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('@')) {
      const [name, shape] = line.slice(1).split(' ');
      const [sources, dest] = shape.split(':');
      const op = Op[name as keyof typeof Op];
      assert.ok(op !== undefined, `unknown op ${name}`);
      cur = { op, name, sources, dest, lines: [], legality: [] };
      sections.push(cur);
    } else if (line.startsWith('!')) {
      cur?.legality.push(line);
    } else if (/^\d/.test(line)) {
      cur?.lines.push(line);
    }
  }
  return sections;
}

/** A 64-bit hex number as [low word, high word], both as int32. */
function halves(hex: string): [number, number] {
  const h = hex.padStart(16, '0');
  return [parseInt(h.slice(8), 16) | 0, parseInt(h.slice(0, 8), 16) | 0];
}

function hex64(lo: number, hi: number): string {
  return (hi >>> 0).toString(16).padStart(8, '0') + (lo >>> 0).toString(16).padStart(8, '0');
}

/** Runs one vector line; returns a description of the mismatch, or undefined when it passes. */
function runVector(st: CpuState, s: Section, line: string): string | undefined {
  const [rmS, frmS, a, b, c, resultHex, flagsHex] = line.split(' ');
  const operands = [a, b, c];
  const regs = st.x;
  const fb = st.fbits;
  for (let i = 0; i < s.sources.length; i++) {
    const [lo, hi] = halves(operands[i]);
    const file = s.sources[i] === 'f' ? fb : regs;
    const r = s.sources[i] === 'f' ? F_SRC[i] : X_SRC;
    file[2 * r] = lo;
    file[2 * r + 1] = hi;
  }
  const dstFile = s.dest === 'f' ? fb : regs;
  const rd = s.dest === 'f' ? F_DST : X_DST;
  dstFile[2 * rd] = JUNK_LO;
  dstFile[2 * rd + 1] = JUNK_HI;
  st.fflags = 0;
  st.frm = Number(frmS);
  const rs1 = s.sources[0] === 'f' ? F_SRC[0] : X_SRC;
  const ok = executeFp(s.op, st, rd, rs1, F_SRC[1], F_SRC[2], Number(rmS));
  const got = hex64(dstFile[2 * rd], dstFile[2 * rd + 1]);
  const [wantLo, wantHi] = halves(resultHex);
  const want = hex64(wantLo, wantHi);
  const wantFlags = parseInt(flagsHex, 16);
  if (ok && got === want && st.fflags === wantFlags) return undefined;
  return `${s.name} rm=${rmS} frm=${frmS} ops=${operands.slice(0, s.sources.length).join(',')}: ` +
    `got ${got} flags ${st.fflags.toString(16)}${ok ? '' : ' (illegal)'}, want ${want} flags ${flagsHex}`;
}

describe('executeFp against qemu-riscv64 vectors', function () {
  const sections = parseFixture(gunzipSync(readFileSync(FIXTURE)).toString('utf8'));

  it('covers every F/D computational operation', function () {
    const covered = new Set(sections.map((s) => s.name));
    const ops = Object.keys(Op).filter((k) => /^F/.test(k) && !/^F(LW|SW|LD|SD|ENCE)/.test(k) && isNaN(Number(k)));
    assert.deepEqual(ops.filter((k) => !covered.has(k)), []);
  });

  it('matches every result register and fflags', function () {
    const st = new CpuState();
    const failures: string[] = [];
    const table: string[] = [];
    let total = 0;
    for (const s of sections) {
      let pass = 0;
      for (const line of s.lines) {
        const bad = runVector(st, s, line);
        if (bad === undefined) pass++;
        else if (failures.length < 30) failures.push(bad);
      }
      total += s.lines.length;
      table.push(`${s.name.padEnd(10)} ${pass}/${s.lines.length}`);
    }
    console.log(`      ${total} vectors; passing per operation:`);
    for (let i = 0; i < table.length; i += 4) console.log('      ' + table.slice(i, i + 4).map((t) => t.padEnd(22)).join(''));
    assert.deepEqual(failures, []);
  });

  it('rejects exactly the encodings qemu rejects (reserved rm, reserved frm)', function () {
    const st = new CpuState();
    const wrong: string[] = [];
    let n = 0;
    for (const s of sections) {
      for (const line of s.legality) {
        const [, rmS, frmS, trapped] = line.split(' ');
        st.frm = Number(frmS);
        const ok = executeFp(s.op, st, s.dest === 'f' ? F_DST : X_DST, 1, 2, 3, Number(rmS));
        if (ok !== (trapped === '0')) wrong.push(line);
        n++;
      }
    }
    assert.ok(n > 100, 'legality vectors present');
    assert.deepEqual(wrong, []);
  });
});

describe('fpu vector fixture against a fresh qemu run', function () {
  it('regenerates identically', function () {
    const missing = [CC, QEMU].filter((t) => !haveTool(t));
    if (missing.length > 0) {
      console.log(`      skipped: ${missing.join(' and ')} not installed`);
      this.skip();
    }
    const fresh = generateVectors();
    const committed = gunzipSync(readFileSync(FIXTURE)).toString('utf8');
    assert.ok(fresh === committed, 'fixture differs from qemu output: run npx tsx scripts/fpu-vectors/generate.ts');
  });
});
