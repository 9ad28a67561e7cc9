/**
 * The hart's single call into F/D arithmetic. fpu.ts (written in parallel) will provide
 * `executeFp`; until it lands every F/D arithmetic operation is reported as illegal, so the
 * hart compiles and integer programs run. Replaced by a direct import once fpu.ts exists.
 */
import { Op } from '../isa/ops';
import { CpuState } from './state';

export function executeFp(
  _op: Op, _st: CpuState, _rd: number, _rs1: number, _rs2: number, _rs3: number, _rm: number,
): boolean {
  return false;
}
