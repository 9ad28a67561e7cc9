import { strict as assert } from 'assert';
import { div64, divu64, mul64, mulh64, mulhsu64, mulhu64, mulHiU32, out } from '../../src/cpu/int64';

const M64 = (1n << 64n) - 1n;

/** A deterministic 64-bit generator (xorshift64) whose values have a random bit length. */
function generator(seed: bigint): () => bigint {
  let s = seed;
  const next = (): bigint => {
    s ^= (s << 13n) & M64; s ^= s >> 7n; s ^= (s << 17n) & M64;
    return s;
  };
  return () => {
    const bits = next() % 65n; // 0..64 significant bits: small, 32-bit, 53-bit, full
    const v = bits === 0n ? 0n : next() & ((1n << bits) - 1n);
    return next() & 1n ? BigInt.asUintN(64, -v) : v;
  };
}

const lo = (v: bigint): number => Number(BigInt.asIntN(32, v));
const hi = (v: bigint): number => Number(BigInt.asIntN(32, v >> 32n));
const s64 = (v: bigint): bigint => BigInt.asIntN(64, v);
const result = (i = 0): bigint => (BigInt(out[i + 1] >>> 0) << 32n) | BigInt(out[i] >>> 0);

describe('cpu/int64: arithmetic on 32-bit halves against BigInt', () => {
  const N = 20000;

  it('mulHiU32 gives the high word of every 32x32 product', () => {
    const next = generator(7n);
    for (let i = 0; i < N; i++) {
      const a = next() & 0xffffffffn, b = next() & 0xffffffffn;
      assert.equal(mulHiU32(Number(a), Number(b)) >>> 0, Number((a * b) >> 32n), `${a} * ${b}`);
    }
    assert.equal(mulHiU32(-1, -1) >>> 0, 0xfffffffe);
  });

  it('multiplies: low half, and the high halves signed, mixed and unsigned', () => {
    const next = generator(11n);
    for (let i = 0; i < N; i++) {
      const a = next(), b = next();
      const sa = s64(a), sb = s64(b);
      const msg = `0x${a.toString(16)} * 0x${b.toString(16)}`;
      mul64(lo(a), hi(a), lo(b), hi(b));
      assert.equal(result(), (a * b) & M64, `mul ${msg}`);
      mulhu64(lo(a), hi(a), lo(b), hi(b));
      assert.equal(result(), (a * b) >> 64n, `mulhu ${msg}`);
      mulh64(lo(a), hi(a), lo(b), hi(b));
      assert.equal(result(), BigInt.asUintN(64, (sa * sb) >> 64n), `mulh ${msg}`);
      mulhsu64(lo(a), hi(a), lo(b), hi(b));
      assert.equal(result(), BigInt.asUintN(64, (sa * b) >> 64n), `mulhsu ${msg}`);
    }
  });

  it('divides signed and unsigned, in every size class of dividend and divisor', () => {
    const next = generator(13n);
    for (let i = 0; i < N; i++) {
      const a = next(), b = next();
      if (b === 0n) continue;
      const msg = `0x${a.toString(16)} / 0x${b.toString(16)}`;
      divu64(lo(a), hi(a), lo(b), hi(b));
      assert.equal(result(0), a / b, `divu ${msg}`);
      assert.equal(result(2), a % b, `remu ${msg}`);
      const sa = s64(a), sb = s64(b);
      div64(lo(a), hi(a), lo(b), hi(b));
      // BigInt division truncates toward zero like RISC-V; only INT64_MIN / -1 overflows.
      assert.equal(result(0), BigInt.asUintN(64, sa / sb), `div ${msg}`);
      assert.equal(result(2), BigInt.asUintN(64, sa % sb), `rem ${msg}`);
    }
  });

  it('gives INT64_MIN / -1 = INT64_MIN remainder 0', () => {
    div64(0, -0x80000000, -1, -1);
    assert.equal(result(0), 1n << 63n);
    assert.equal(result(2), 0n);
  });
});
