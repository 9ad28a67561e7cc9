/**
 * Unit tests of the F/D implementation: the fast double paths against the exact BigInt
 * path on inputs aimed at their weak spots, the single rounder against the general one,
 * and the RISC-V rules executeFp must follow, one readable case each. The exhaustive check
 * against qemu is fpu-vectors.test.ts.
 */
import { strict as assert } from 'node:assert';
import { Op } from '../../src/isa/ops';
import { CpuState } from '../../src/cpu/state';
import { executeFp } from '../../src/cpu/fpu';
import { fromWords, hiWord, loWord, pow2, RDN, residual, RMM, RNE, RTZ, RUP, status } from '../../src/cpu/fpu/bits';
import { BINARY32, BINARY64, exactAdd, exactDiv, exactFma, exactMul, roundExact } from '../../src/cpu/fpu/exact';
import { finishSingle } from '../../src/cpu/fpu/single';

const MODES = [RNE, RTZ, RDN, RUP, RMM];
const NX = 1, UF = 2, OF = 4, DZ = 8, NV = 16;

/** mulberry32: a tiny seeded generator of 32-bit words. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** A random double with unbiased exponent in [lo, hi], random sign and fraction (sometimes short). */
function randomDouble(next: () => number, lo: number, hi: number): number {
  const e = lo + (next() % (hi - lo + 1));
  let fracHi = next() & 0xfffff;
  let fracLo = next() | 0;
  const zeros = next() % 53; // short significands make exact results and ties common
  if (zeros >= 32) {
    fracLo = 0;
    fracHi &= ~((1 << (zeros - 32)) - 1);
  } else {
    fracLo &= ~((1 << zeros) - 1) | 0;
  }
  const sign = next() & 1 ? 0x80000000 : 0;
  return fromWords(fracLo, sign | ((e + 1023) << 20) | fracHi);
}

function bitsOf(v: number): string {
  return (hiWord(v) >>> 0).toString(16).padStart(8, '0') + (loWord(v) >>> 0).toString(16).padStart(8, '0');
}

/** Runs f with fresh flags; returns "bits/flags" for comparison. */
function outcome(f: () => number): string {
  status.flags = 0;
  const v = f();
  return `${bitsOf(v)}/${status.flags}`;
}

/** Runs a double operation through executeFp on f1–f3 into f4; returns "bits/flags". */
const scratchState = new CpuState();
function viaExecute(op: Op, mode: number, a: number, b = 0, c = 0): string {
  const st = scratchState;
  st.f64[1] = a;
  st.f64[2] = b;
  st.f64[3] = c;
  st.fflags = 0;
  executeFp(op, st, 4, 1, 2, 3, mode);
  const hex = (st.fbits[9] >>> 0).toString(16).padStart(8, '0') + (st.fbits[8] >>> 0).toString(16).padStart(8, '0');
  return `${hex}/${st.fflags}`;
}

describe('cpu/fpu: fast double paths agree with the exact BigInt path', function () {
  const next = rng(12345);
  const N = 4000;

  function compare(name: string, fast: (m: number) => string, exact: (m: number) => number, ops: number[]): string[] {
    const bad: string[] = [];
    for (const m of MODES) {
      const got = fast(m);
      const want = outcome(() => exact(m));
      if (got !== want) bad.push(`${name}(${ops.join(', ')}) mode ${m}: got ${got}, want ${want}`);
    }
    return bad;
  }

  it('add: random, cancelling and halfway sums', function () {
    const bad: string[] = [];
    for (let i = 0; i < N; i++) {
      const a = randomDouble(next, -60, 60);
      const kind = i % 3;
      const b = kind === 0 ? randomDouble(next, -60, 60)
        : kind === 1 ? -a * (1 + (next() % 5) * pow2(-52)) // near-total cancellation
          : pow2(Math.floor(Math.log2(Math.abs(a))) - 53) * (next() & 1 ? 1 : -1); // half an ulp: a tie
      bad.push(...compare('add', (m) => viaExecute(Op.FADD_D, m, a, b), (m) => exactAdd(a, b, m), [a, b]));
    }
    assert.deepEqual(bad.slice(0, 5), []);
  });

  it('mul and div: random, and results at the edges of the fast range', function () {
    const bad: string[] = [];
    for (let i = 0; i < N; i++) {
      const a = randomDouble(next, -520, 520);
      const b = randomDouble(next, -520, 520);
      bad.push(...compare('mul', (m) => viaExecute(Op.FMUL_D, m, a, b), (m) => exactMul(a, b, m), [a, b]));
      bad.push(...compare('div', (m) => viaExecute(Op.FDIV_D, m, a, b), (m) => exactDiv(a, b, m), [a, b]));
    }
    assert.deepEqual(bad.slice(0, 5), []);
  });

  it('fma: cancellation, distant addends and near-midpoint sums', function () {
    const bad: string[] = [];
    for (let i = 0; i < N; i++) {
      let a = randomDouble(next, -30, 30);
      let b = randomDouble(next, -30, 30);
      let c: number;
      switch (i % 4) {
        case 0: c = randomDouble(next, -60, 60); break;
        case 1: c = -(a * b) * (1 + ((next() % 7) - 3) * pow2(-52)); break; // cancels a·b
        case 2: c = a * b * pow2((next() % 140) - 110); break; // far below or above a·b
        default: {
          // a·b ≈ 2^k and c's last place is 2^(k+1): the exact sum lies a hair from a midpoint
          const k = (next() % 40) - 20;
          a = randomDouble(next, 0, 0);
          b = pow2(k) / a;
          c = randomDouble(next, k + 53, k + 53);
        }
      }
      bad.push(...compare('fma', (m) => viaExecute(Op.FMADD_D, m, a, b, c), (m) => exactFma(a, b, c, m), [a, b, c]));
    }
    assert.deepEqual(bad.slice(0, 5), []);
  });

  it('sqrt: random, perfect squares and their neighbours, subnormal and huge operands', function () {
    /** √a by integer square root of the significand (shifted to an even exponent), rounded once. */
    function exactSqrt(a: number, mode: number): number {
      const hi = hiWord(a);
      const biased = (hi >>> 20) & 0x7ff;
      let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(loWord(a) >>> 0);
      if (biased !== 0) mant |= 1n << 52n;
      let exp = (biased === 0 ? 1 : biased) - 1075;
      mant <<= 120n; // far more bits than the result needs
      exp -= 120;
      if (exp % 2 !== 0) {
        mant <<= 1n;
        exp -= 1;
      }
      let r = 1n << BigInt(Math.ceil(mant.toString(2).length / 2) + 1);
      for (;;) {
        const s = (r + mant / r) >> 1n;
        if (s >= r) break;
        r = s;
      }
      const sticky = r * r === mant ? 0n : 1n;
      const bits = roundExact(false, (r << 1n) | sticky, exp / 2 - 1, BINARY64, mode);
      return fromWords(Number(bits & 0xffffffffn) | 0, Number(bits >> 32n) | 0);
    }
    const bad: string[] = [];
    for (let i = 0; i < N; i++) {
      let a: number;
      switch (i % 4) {
        case 0: a = Math.abs(randomDouble(next, -1022, 1023)); break;
        case 1: a = fromWords(next() | 0, next() & 0xfffff); break; // subnormal
        default: {
          const r = Math.abs(randomDouble(next, -200, 200));
          a = r * r * (1 + ((next() % 3) - 1) * pow2(-52));
        }
      }
      if (a === 0) continue;
      bad.push(...compare('sqrt', (m) => viaExecute(Op.FSQRT_D, m, a), (m) => exactSqrt(a, m), [a]));
    }
    assert.deepEqual(bad.slice(0, 5), []);
  });
});

describe('cpu/fpu: finishSingle agrees with the general rounding', function () {
  it('rounds hi + lo to binary32 like roundExact, flags included', function () {
    const st = new CpuState();
    const next = rng(777);
    const bad: string[] = [];
    for (let i = 0; i < 20000; i++) {
      // hi anywhere from below single's subnormals to beyond its overflow, often with a
      // significand that ends exactly on a single rounding boundary
      const hi = randomDouble(next, -160, 130);
      const loSign = (next() % 3) - 1;
      const e = Math.floor(Math.log2(Math.abs(hi)));
      const lo = loSign * pow2(e - 56); // far below hi's last place: only the sign matters
      const hiBig = BigInt(Math.abs(hi) * pow2(52 - e)); // 53-bit integer significand
      const mant = (hiBig << 4n) + BigInt(hi < 0 ? -loSign : loSign); // magnitude of hi + lo
      for (const m of MODES) {
        status.flags = 0;
        st.f64[1] = hi;
        residual[0] = lo;
        finishSingle(st, 1, m);
        const gotFlags = status.flags;
        const gotBits = st.fbits[2] >>> 0;
        status.flags = 0;
        const want = roundExact(hi < 0, mant, e - 52 - 4, BINARY32, m);
        if (BigInt(gotBits) !== want || gotFlags !== status.flags || st.fbits[3] !== -1) {
          bad.push(`hi=${hi} lo=${lo} mode ${m}: got ${gotBits.toString(16)}/${gotFlags}, want ${want.toString(16)}/${status.flags}`);
        }
      }
    }
    assert.deepEqual(bad.slice(0, 5), []);
  });
});

describe('cpu/fpu: ordinary operands stay off the BigInt path', function () {
  it('runs F/D arithmetic in every mode with BigInt unavailable', function () {
    const next = rng(99);
    const st = new CpuState();
    const ops = [Op.FADD_D, Op.FSUB_D, Op.FMUL_D, Op.FDIV_D, Op.FSQRT_D, Op.FMADD_D, Op.FNMSUB_D,
      Op.FADD_S, Op.FMUL_S, Op.FDIV_S, Op.FSQRT_S, Op.FMADD_S, Op.FCVT_S_D, Op.FCVT_L_D, Op.FCVT_D_L, Op.FCVT_S_L];
    const realBigInt = globalThis.BigInt;
    (globalThis as { BigInt: unknown }).BigInt = () => {
      throw new Error('BigInt used');
    };
    let inexact = 0;
    try {
      for (let i = 0; i < 3000; i++) {
        for (let r = 1; r <= 3; r++) st.f64[r] = randomDouble(next, -100, 100);
        // singles for the .s operations live in f5–f7, NaN-boxed
        for (let r = 5; r <= 7; r++) {
          st.fbits[2 * r] = new Int32Array(new Float32Array([randomDouble(next, -20, 20)]).buffer)[0];
          st.fbits[2 * r + 1] = -1;
        }
        st.x[2 * 10] = next() | 0;
        st.x[2 * 10 + 1] = next() | 0;
        for (const op of ops) {
          const single = Op[op].endsWith('_S') && op !== Op.FCVT_S_D && op !== Op.FCVT_S_L;
          const src = op === Op.FCVT_D_L || op === Op.FCVT_S_L ? 10 : single ? 5 : 1;
          st.fflags = 0;
          assert.ok(executeFp(op, st, 8, src, src + 1, src + 2, MODES[i % 5]));
          inexact += st.fflags & NX;
        }
      }
    } finally {
      globalThis.BigInt = realBigInt;
    }
    assert.ok(inexact > 10000, 'the operands were mostly inexact, so rounding really ran');
  });
});

describe('cpu/fpu: executeFp follows the RISC-V rules', function () {
  const CANON_S = 0x7fc00000;
  let st: CpuState;
  beforeEach(function () {
    st = new CpuState();
  });

  function setS(r: number, bits: number, hi = -1): void {
    st.fbits[2 * r] = bits;
    st.fbits[2 * r + 1] = hi;
  }
  function getF(r: number): string {
    return (st.fbits[2 * r + 1] >>> 0).toString(16).padStart(8, '0') + (st.fbits[2 * r] >>> 0).toString(16).padStart(8, '0');
  }
  function getX(r: number): bigint {
    return st.getReg(r);
  }

  it('reads an improperly NaN-boxed single as the canonical NaN, quietly', function () {
    setS(1, 0x3f800000, 0); // 1.0f with a zero upper half: not boxed
    setS(2, 0x3f800000);
    assert.ok(executeFp(Op.FADD_S, st, 3, 1, 2, 0, RNE));
    assert.equal(getF(3), 'ffffffff7fc00000');
    assert.equal(st.fflags, 0);
  });

  it('NaN-boxes single results and canonicalises NaN results, raising NV for signalling inputs', function () {
    setS(1, 0x7f800001); // sNaN
    setS(2, 0x3f800000);
    executeFp(Op.FMUL_S, st, 3, 1, 2, 0, RNE);
    assert.equal(getF(3), 'ffffffff7fc00000');
    assert.equal(st.fflags, NV);
    st.fflags = 0;
    st.fbits[2] = 0; st.fbits[3] = 0x7ff40000; // double sNaN with a payload
    executeFp(Op.FSQRT_D, st, 4, 1, 0, 0, RNE);
    assert.equal(getF(4), '7ff8000000000000');
    assert.equal(st.fflags, NV);
  });

  it('fuses fmadd.d: one rounding where two would lose the result', function () {
    st.f64[1] = 1 + pow2(-27);
    st.f64[2] = 1 - pow2(-27); // product 1 − 2^-54, which rounds to 1 on its own
    st.f64[3] = -1;
    executeFp(Op.FMADD_D, st, 4, 1, 2, 3, RNE);
    assert.equal(st.f64[4], -pow2(-54));
    assert.equal(st.fflags, 0);
  });

  it('raises NV for 0 × ∞ in an FMA even when the addend is a quiet NaN', function () {
    st.f64[1] = 0;
    st.f64[2] = Infinity;
    st.fbits[6] = 0; st.fbits[7] = 0x7ff80000;
    executeFp(Op.FMADD_D, st, 4, 1, 2, 3, RNE);
    assert.equal(getF(4), '7ff8000000000000');
    assert.equal(st.fflags, NV);
  });

  it('gives exact zero sums +0, or −0 when rounding down', function () {
    st.f64[1] = 1.5;
    st.f64[2] = 1.5;
    executeFp(Op.FSUB_D, st, 3, 1, 2, 0, RNE);
    assert.ok(Object.is(st.f64[3], 0));
    executeFp(Op.FSUB_D, st, 3, 1, 2, 0, RDN);
    assert.ok(Object.is(st.f64[3], -0));
  });

  it('uses a static rm over frm, frm for dynamic rm, and refuses reserved modes without side effects', function () {
    st.f64[1] = 1;
    st.f64[2] = 3;
    st.frm = RUP;
    executeFp(Op.FDIV_D, st, 3, 1, 2, 0, RTZ);
    assert.equal(getF(3), '3fd5555555555555'); // 1/3 truncated
    executeFp(Op.FDIV_D, st, 3, 1, 2, 0, 7);
    assert.equal(getF(3), '3fd5555555555556'); // 1/3 rounded up, from frm
    st.fflags = 0;
    for (const [rm, frm] of [[5, 0], [6, 0], [7, 5], [7, 6], [7, 7]]) {
      st.frm = frm;
      st.f64[3] = 42;
      assert.equal(executeFp(Op.FDIV_D, st, 3, 1, 2, 0, rm), false);
      assert.equal(executeFp(Op.FCVT_D_W, st, 3, 1, 0, 0, rm), false, 'fcvt.d.w has an rm field too');
      assert.equal(st.f64[3], 42);
      assert.equal(st.fflags, 0);
    }
    st.frm = 7;
    assert.equal(executeFp(Op.FMIN_D, st, 3, 1, 2, 0, 1), true, 'fmin has no rm field (funct3 selects min)');
    assert.equal(executeFp(Op.FLD, st, 3, 1, 2, 0, 0), false, 'loads and stores are not executeFp\'s');
  });

  it('accrues flags: it ORs into fflags and never clears them', function () {
    st.fflags = DZ;
    st.f64[1] = 1;
    st.f64[2] = 3;
    executeFp(Op.FDIV_D, st, 3, 1, 2, 0, RNE);
    assert.equal(st.fflags, DZ | NX);
  });

  it('fmin/fmax: −0 < +0, one NaN gives the other operand, two give the canonical NaN', function () {
    st.f64[1] = -0;
    st.f64[2] = 0;
    executeFp(Op.FMIN_D, st, 3, 2, 1, 0, 0);
    assert.ok(Object.is(st.f64[3], -0));
    executeFp(Op.FMAX_D, st, 3, 1, 2, 0, 0);
    assert.ok(Object.is(st.f64[3], 0));
    setS(4, 0x7f800001); // sNaN
    setS(5, 0x40000000); // 2.0f
    executeFp(Op.FMIN_S, st, 6, 4, 5, 0, 0);
    assert.equal(getF(6), 'ffffffff40000000');
    assert.equal(st.fflags, NV);
    setS(5, 0x7fc00001); // qNaN with a payload
    executeFp(Op.FMAX_S, st, 6, 4, 5, 0, 0);
    assert.equal(getF(6), 'ffffffff' + CANON_S.toString(16));
  });

  it('feq is quiet, flt and fle signal on any NaN', function () {
    st.f64[1] = NaN;
    st.f64[2] = 1;
    executeFp(Op.FEQ_D, st, 10, 1, 2, 0, 0);
    assert.equal(st.fflags, 0);
    executeFp(Op.FLE_D, st, 10, 1, 2, 0, 0);
    assert.equal(st.fflags, NV);
    assert.equal(getX(10), 0n);
  });

  it('sign injection works on bits and does not canonicalise NaNs', function () {
    st.fbits[2] = 0x1234; st.fbits[3] = 0x7ff01234 | 0; // sNaN stays as it is
    st.f64[2] = -1;
    executeFp(Op.FSGNJ_D, st, 3, 1, 2, 0, 0);
    assert.equal(getF(3), 'fff0123400001234');
    assert.equal(st.fflags, 0);
  });

  it('fmv.x.w sign-extends, fmv.w.x NaN-boxes, and x0 stays zero', function () {
    setS(1, 0x80000001 | 0, 0); // fmv.x.w ignores boxing: it moves the low 32 bits
    executeFp(Op.FMV_X_W, st, 10, 1, 0, 0, 0);
    assert.equal(getX(10), 0xffffffff80000001n);
    st.setReg(11, 0x1234567800abcdefn);
    executeFp(Op.FMV_W_X, st, 2, 11, 0, 0, 0);
    assert.equal(getF(2), 'ffffffff00abcdef');
    executeFp(Op.FMV_X_W, st, 0, 1, 0, 0, 0);
    executeFp(Op.FCLASS_S, st, 0, 1, 0, 0, 0);
    assert.equal(getX(0), 0n);
  });

  it('fcvt.wu sign-extends its 32-bit result; out-of-range and NaN saturate with NV only', function () {
    st.f64[1] = 3e9;
    executeFp(Op.FCVT_WU_D, st, 10, 1, 0, 0, RNE);
    assert.equal(getX(10), 0xffffffffb2d05e00n);
    assert.equal(st.fflags, 0);
    st.f64[1] = -2.5;
    executeFp(Op.FCVT_WU_D, st, 10, 1, 0, 0, RNE);
    assert.equal(getX(10), 0n);
    assert.equal(st.fflags, NV);
    st.fflags = 0;
    st.f64[1] = NaN;
    executeFp(Op.FCVT_L_D, st, 10, 1, 0, 0, RNE);
    assert.equal(getX(10), 0x7fffffffffffffffn, 'NaN converts to the largest integer');
    st.fflags = 0;
    st.f64[1] = -0.5;
    executeFp(Op.FCVT_LU_D, st, 0, 1, 0, 0, RTZ); // to x0: no write, the flags still count
    assert.equal(getX(0), 0n);
    assert.equal(st.fflags, NX);
  });

  it('rounds integer → float conversions by rm, ties included', function () {
    st.setReg(10, (1n << 53n) + 1n); // halfway between 2^53 and 2^53 + 2
    executeFp(Op.FCVT_D_L, st, 1, 10, 0, 0, RNE);
    assert.equal(st.f64[1], 2 ** 53);
    executeFp(Op.FCVT_D_L, st, 1, 10, 0, 0, RMM);
    assert.equal(st.f64[1], 2 ** 53 + 2);
    assert.equal(st.fflags, NX);
  });

  it('fcvt.s.d rounds with underflow detected after rounding; fcvt.d.s is exact', function () {
    st.f64[1] = pow2(-126) * (1 - pow2(-25)); // rounds up to the smallest normal: not tiny
    executeFp(Op.FCVT_S_D, st, 2, 1, 0, 0, RNE);
    assert.equal(getF(2), 'ffffffff00800000');
    assert.equal(st.fflags, NX);
    st.fflags = 0;
    st.f64[1] = pow2(-130) * 1.25000001; // tiny and inexact
    executeFp(Op.FCVT_S_D, st, 2, 1, 0, 0, RNE);
    assert.equal(st.fflags, NX | UF);
    st.fflags = 0;
    st.f64[1] = 1e300;
    executeFp(Op.FCVT_S_D, st, 2, 1, 0, 0, RTZ);
    assert.equal(getF(2), 'ffffffff7f7fffff');
    assert.equal(st.fflags, OF | NX);
    st.fflags = 0;
    setS(3, 0x00000001); // smallest subnormal single
    executeFp(Op.FCVT_D_S, st, 4, 3, 0, 0, RNE);
    assert.equal(st.f64[4], pow2(-149));
    assert.equal(st.fflags, 0);
  });

  it('handles rd equal to a source register', function () {
    st.f64[1] = 1.5;
    executeFp(Op.FMADD_D, st, 1, 1, 1, 1, RNE);
    assert.equal(st.f64[1], 1.5 * 1.5 + 1.5);
  });
});
