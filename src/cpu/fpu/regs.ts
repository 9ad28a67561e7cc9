/**
 * The FP register file as the F and D extensions see it: NaN-boxing of singles, canonical
 * NaNs, signalling-NaN tests on encodings (a double's value cannot tell a signalling NaN from
 * a quiet one), and the NV rule for NaN results. All take the raw fbits array.
 */
import { f32Value, NV, status } from './bits';

/** The high word of a properly NaN-boxed single: all ones. */
const BOXED = -1;
export const CANONICAL_NAN_S = 0x7fc00000;
/** High word of the canonical double NaN (its low word is 0). */
const CANONICAL_NAN_D_HI = 0x7ff80000;

/** The single in f<i>, NaN-box-checked: an improperly boxed value reads as the canonical NaN. */
export function bitsS(fb: Int32Array, i: number): number {
  return fb[2 * i + 1] === BOXED ? fb[2 * i] : CANONICAL_NAN_S;
}

/**
 * The single in f<i> as a double (NaN for every NaN, improperly boxed ones included). The
 * choice is made on the bits, before the one float load: a conditional between a float and
 * a NaN literal would make V8 box the result.
 */
export function readS(fb: Int32Array, i: number): number {
  return f32Value(bitsS(fb, i));
}

export function writeBitsS(fb: Int32Array, rd: number, bits: number): void {
  fb[2 * rd] = bits;
  fb[2 * rd + 1] = BOXED;
}

export function writeCanonicalNaND(fb: Int32Array, rd: number): void {
  fb[2 * rd] = 0;
  fb[2 * rd + 1] = CANONICAL_NAN_D_HI;
}

function isNaNS(fb: Int32Array, i: number): boolean {
  return (bitsS(fb, i) & 0x7fffffff) > 0x7f800000;
}

/** Signalling NaN: all-ones exponent, quiet bit clear, non-zero fraction. */
export function isSignallingS(fb: Int32Array, i: number): boolean {
  const b = bitsS(fb, i);
  return (b & 0x7fc00000) === 0x7f800000 && (b & 0x3fffff) !== 0;
}

function isNaND(fb: Int32Array, i: number): boolean {
  const hi = fb[2 * i + 1] & 0x7fffffff;
  return hi > 0x7ff00000 || (hi === 0x7ff00000 && fb[2 * i] !== 0);
}

export function isSignallingD(fb: Int32Array, i: number): boolean {
  const hi = fb[2 * i + 1];
  return (hi & 0x7ff80000) === 0x7ff00000 && ((hi & 0x7ffff) | fb[2 * i]) !== 0;
}

/**
 * The flags for an arithmetic result that came out NaN: it is either an operand's NaN
 * propagating (NV only if some operand is signalling) or an invalid operation on non-NaN
 * operands (∞ − ∞, 0 × ∞, 0/0, ∞/∞, √negative), which raises NV.
 */
export function raiseForNaN(anyNaN: boolean, signalling: boolean): void {
  if (!anyNaN || signalling) status.flags |= NV;
}

/** NaN result of a double operation on f<rs1>, f<rs2>, f<rs3> (indices may repeat). */
export function nanResultD(fb: Int32Array, rd: number, rs1: number, rs2: number, rs3: number): void {
  raiseForNaN(isNaND(fb, rs1) || isNaND(fb, rs2) || isNaND(fb, rs3),
    isSignallingD(fb, rs1) || isSignallingD(fb, rs2) || isSignallingD(fb, rs3));
  writeCanonicalNaND(fb, rd);
}

/** NaN result of a single operation on f<rs1>, f<rs2>, f<rs3> (indices may repeat). */
export function nanResultS(fb: Int32Array, rd: number, rs1: number, rs2: number, rs3: number): void {
  raiseForNaN(isNaNS(fb, rs1) || isNaNS(fb, rs2) || isNaNS(fb, rs3),
    isSignallingS(fb, rs1) || isSignallingS(fb, rs2) || isSignallingS(fb, rs3));
  writeBitsS(fb, rd, CANONICAL_NAN_S);
}

/** 0 × ∞ in an FMA is invalid even when the addend is a quiet NaN (the spec says so). */
export function zeroTimesInfinity(a: number, b: number): boolean {
  return (a === 0 && (b === Infinity || b === -Infinity)) || (b === 0 && (a === Infinity || a === -Infinity));
}
