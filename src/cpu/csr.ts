/**
 * The CSRs user mode can reach under Linux, and the deterministic clock behind the counters.
 *
 * Only the FP CSRs and the three read-only counters exist; everything else — including
 * RV32's cycleh/timeh/instreth and the hardware performance counters — is an illegal
 * instruction, as is any write to a counter.
 */
import { Op } from '../isa/ops';
import { CpuState } from './state';

export const CSR_FFLAGS = 0x001;
export const CSR_FRM = 0x002;
export const CSR_FCSR = 0x003;
export const CSR_CYCLE = 0xc00;
export const CSR_TIME = 0xc01;
export const CSR_INSTRET = 0xc02;

/**
 * Virtual time. `cycle` and `instret` both count retired instructions; one instruction takes
 * one nanosecond, and `time` ticks at the 10 MHz timebase Linux advertises for riscv
 * (timebase-frequency), i.e. once every 100 instructions. The kernel's clocks use the same.
 */
export const TIMEBASE_HZ = 10_000_000;
export const NS_PER_INSN = 1;
export const INSNS_PER_TIME_TICK = 1_000_000_000 / NS_PER_INSN / TIMEBASE_HZ;

const TWO_32 = 4294967296;

/**
 * Executes a Zicsr instruction. `rd` and `rs1` are the register numbers (for the *I forms rs1
 * is the 5-bit immediate), `retired` the instructions retired before this one. Returns false
 * for an illegal instruction, having changed nothing.
 */
export function executeCsr(st: CpuState, op: Op, rd: number, rs1: number, csr: number, retired: number): boolean {
  const immediate = op === Op.CSRRWI || op === Op.CSRRSI || op === Op.CSRRCI;
  // csrrs/csrrc with x0 (or a zero immediate) only read; csrrw always writes.
  const writes = op === Op.CSRRW || op === Op.CSRRWI || rs1 !== 0;
  const operand = immediate ? rs1 : st.x[2 * rs1];
  let old: number;
  switch (csr) {
    case CSR_FFLAGS: old = st.fflags; break;
    case CSR_FRM: old = st.frm; break;
    case CSR_FCSR: old = (st.frm << 5) | st.fflags; break;
    case CSR_CYCLE: case CSR_INSTRET: old = retired; break;
    case CSR_TIME: old = Math.floor(retired / INSNS_PER_TIME_TICK); break;
    default: return false;
  }
  if (writes) {
    if (csr >= CSR_CYCLE) return false;
    const value = op === Op.CSRRW || op === Op.CSRRWI ? operand
      : op === Op.CSRRS || op === Op.CSRRSI ? old | operand
        : old & ~operand;
    if (csr === CSR_FFLAGS) st.fflags = value & 0x1f;
    else if (csr === CSR_FRM) st.frm = value & 7;
    else {
      st.fflags = value & 0x1f;
      st.frm = (value >>> 5) & 7;
    }
  }
  if (rd !== 0) {
    // Counters are below 2^53, so their halves come straight from the double.
    st.x[2 * rd] = old % TWO_32;
    st.x[2 * rd + 1] = Math.floor(old / TWO_32);
  }
  return true;
}
