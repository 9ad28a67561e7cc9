/**
 * The user-visible register state of one hart context: what Linux saves in `pt_regs` plus the
 * FP state (`thread.fstate`) when a task leaves the CPU. Every task owns one; the hart runs
 * whichever the scheduler hands it (cpu/hart.ts), so a context switch swaps objects, not data.
 *
 * Integer registers are kept as pairs of 32-bit halves — x[2i] the low word, x[2i+1] the high
 * word of register i — because 64-bit arithmetic on halves allocates nothing, where BigInt
 * would allocate on every instruction. FP registers are 64-bit raw bit patterns (so NaN-boxing
 * and NaN payloads survive loads, stores and moves), viewed as doubles for arithmetic.
 */
export const ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1',
  'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7',
  's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11',
  't3', 't4', 't5', 't6',
];

export const REG_RA = 1;
export const REG_SP = 2;
export const REG_TP = 4;
export const REG_A0 = 10;
export const REG_A7 = 17;

const TWO_32 = 4294967296;

export class CpuState {
  /** x[2i] = low 32 bits, x[2i+1] = high 32 bits of integer register i; x0 is always 0. */
  readonly x = new Int32Array(64);
  /** The FP registers' raw bits: fbits[2i] low word, fbits[2i+1] high word of f<i>. */
  readonly fbits: Int32Array;
  /** The same storage as doubles (f64[i] is f<i> read as a double). */
  readonly f64: Float64Array;
  /** Program counter. User addresses are below 2^39, so a double holds them exactly. */
  pc = 0;
  /** fcsr.fflags (NX=1, UF=2, OF=4, DZ=8, NV=16) and fcsr.frm. */
  fflags = 0;
  frm = 0;
  /** Physical address reserved by the last LR, or -1. Cleared on every trap and tick (as Linux does). */
  reservation = -1;

  constructor() {
    const buf = new ArrayBuffer(32 * 8);
    this.fbits = new Int32Array(buf);
    this.f64 = new Float64Array(buf);
  }

  /** Register i as an unsigned 64-bit BigInt (slow path: kernel, debugger, tests). */
  getReg(i: number): bigint {
    return (BigInt(this.x[2 * i + 1] >>> 0) << 32n) | BigInt(this.x[2 * i] >>> 0);
  }

  setReg(i: number, v: bigint): void {
    if (i === 0) return;
    this.x[2 * i] = Number(v & 0xffffffffn) | 0;
    this.x[2 * i + 1] = Number((v >> 32n) & 0xffffffffn) | 0;
  }

  /**
   * Register i as a non-negative JS number when it is below 2^53 (addresses, sizes, flags), or
   * as a negative number when it is a small negative 64-bit value (errno-style results).
   */
  getRegNum(i: number): number {
    const lo = this.x[2 * i] >>> 0;
    const hi = this.x[2 * i + 1];
    return hi * TWO_32 + lo;
  }

  /** Sets register i from a JS integer in [-2^53, 2^53] (sign-extended to 64 bits). */
  setRegNum(i: number, n: number): void {
    if (i === 0) return;
    const lo = n % TWO_32;
    this.x[2 * i] = lo | 0;
    this.x[2 * i + 1] = Math.floor(n / TWO_32) | 0;
  }

  /** Low 32 bits of register i as a signed int (int arguments such as fds and flags). */
  getReg32(i: number): number {
    return this.x[2 * i];
  }

  copyFrom(other: CpuState): void {
    this.x.set(other.x);
    this.fbits.set(other.fbits);
    this.pc = other.pc;
    this.fflags = other.fflags;
    this.frm = other.frm;
    this.reservation = other.reservation;
  }
}
