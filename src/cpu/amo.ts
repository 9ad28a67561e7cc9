/**
 * The A extension: LR/SC and the AMOs, executed on physical memory.
 *
 * There is one hart, so every AMO is trivially atomic; what matters is the exact semantics.
 * The reservation of LR is a physical address (so it survives the same frame being mapped
 * twice) kept in CpuState; SC succeeds only if it holds a reservation for exactly its address,
 * and every SC clears it. The run loop clears it on every trap, as Linux does on kernel entry.
 * Atomics must be naturally aligned: a misaligned one raises the address-misaligned exception
 * (load for LR, store/AMO for the rest).
 */
import { Op } from '../isa/ops';
import { ACCESS_READ, ACCESS_WRITE, addrOf, Mmu } from './mmu';
import { CpuState } from './state';
import {
  CAUSE_LOAD_PAGE_FAULT, CAUSE_MISALIGNED_LOAD, CAUSE_MISALIGNED_STORE, CAUSE_STORE_PAGE_FAULT,
} from './trap';

/**
 * Executes an LR, SC or AMO. rd/rs1/rs2 are indices of low words in `st.x` (2 × register
 * number). Returns 0, or the trap cause with `mmu.faultAddr` holding the address.
 */
export function executeAtomic(op: Op, st: CpuState, mmu: Mmu, view: DataView, rd: number, rs1: number, rs2: number): number {
  const x = st.x;
  const lo = x[rs1], hi = x[rs1 + 1];
  const double = op >= Op.LR_D;
  const isLr = op === Op.LR_W || op === Op.LR_D;
  if ((lo & (double ? 7 : 3)) !== 0) {
    mmu.faultAddr = addrOf(lo, hi);
    return isLr ? CAUSE_MISALIGNED_LOAD : CAUSE_MISALIGNED_STORE;
  }
  const pa = mmu.atomicAddress(lo, hi, isLr ? ACCESS_READ : ACCESS_WRITE);
  if (pa < 0) return isLr ? CAUSE_LOAD_PAGE_FAULT : CAUSE_STORE_PAGE_FAULT;
  // Source operand first: rd may be the same register.
  const slo = x[rs2], shi = x[rs2 + 1];
  if (op === Op.SC_W || op === Op.SC_D) {
    const ok = st.reservation === pa;
    st.reservation = -1;
    if (ok) {
      view.setInt32(pa, slo, true);
      if (double) view.setInt32(pa + 4, shi, true);
    }
    if (rd !== 0) {
      x[rd] = ok ? 0 : 1;
      x[rd + 1] = 0;
    }
    return 0;
  }
  const olo = view.getInt32(pa, true);
  // The W forms sign-extend the loaded word into rd and operate on 32 bits only.
  const ohi = double ? view.getInt32(pa + 4, true) : olo >> 31;
  if (isLr) {
    st.reservation = pa;
  } else if (double) {
    amo64(op - (Op.AMOSWAP_D - Op.AMOSWAP_W), olo, ohi, slo, shi);
    view.setInt32(pa, result[0], true);
    view.setInt32(pa + 4, result[1], true);
  } else {
    amo64(op, olo, olo >> 31, slo, slo >> 31);
    view.setInt32(pa, result[0], true);
  }
  if (rd !== 0) {
    x[rd] = olo;
    x[rd + 1] = ohi;
  }
  return 0;
}

const result = new Int32Array(2);

/**
 * The memory value an AMO leaves, for the W-form operation `op`, old value (olo, ohi) and
 * source (slo, shi) → result. The W forms pass sign-extended words, so one 64-bit version
 * serves both widths (the low word is what a W form stores).
 */
function amo64(op: Op, olo: number, ohi: number, slo: number, shi: number): void {
  let lo: number, hi: number;
  switch (op) {
    case Op.AMOSWAP_W: lo = slo; hi = shi; break;
    case Op.AMOADD_W:
      lo = (olo + slo) | 0;
      hi = (ohi + shi + (((olo & slo) | ((olo | slo) & ~lo)) >>> 31)) | 0;
      break;
    case Op.AMOXOR_W: lo = olo ^ slo; hi = ohi ^ shi; break;
    case Op.AMOAND_W: lo = olo & slo; hi = ohi & shi; break;
    case Op.AMOOR_W: lo = olo | slo; hi = ohi | shi; break;
    default: {
      // min/max: pick one of the two operands by a signed or unsigned 64-bit comparison.
      const signed = op === Op.AMOMIN_W || op === Op.AMOMAX_W;
      const oh = signed ? ohi : ohi >>> 0, sh = signed ? shi : shi >>> 0;
      const less = oh < sh || (oh === sh && olo >>> 0 < slo >>> 0);
      const wantMin = op === Op.AMOMIN_W || op === Op.AMOMINU_W;
      const takeOld = less === wantMin;
      lo = takeOld ? olo : slo;
      hi = takeOld ? ohi : shi;
    }
  }
  result[0] = lo;
  result[1] = hi;
}
