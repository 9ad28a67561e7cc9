/**
 * What run control needs to know about the instruction at a task's pc: its length, whether it
 * calls (jal/jalr linking ra) or enters the kernel (ecall), and which memory it touches.
 */
import { decode } from '../isa/decode';
import { emptyInst, Op, type Inst } from '../isa/ops';
import type { Kernel } from '../kernel/kernel';
import type { Task } from '../kernel/task';
import { readMemory } from './memory';

/** The instruction word at `pc` of `t` (16 bits for a compressed one), or null if unreadable. */
export function fetchWord(k: Kernel, t: Task, pc: number): number | null {
  const low = readMemory(k, t, pc, 2);
  if (low === null) return null;
  const half = low[0] | (low[1] << 8);
  if ((half & 3) !== 3) return half;
  const all = readMemory(k, t, pc, 4);
  return all === null ? null : (all[0] | (all[1] << 8) | (all[2] << 16) | (all[3] << 24)) >>> 0;
}

export function decodeAt(k: Kernel, t: Task, pc: number): Inst | null {
  const w = fetchWord(k, t, pc);
  if (w === null) return null;
  const inst = emptyInst();
  decode(w, inst);
  return inst;
}

/** A call: jal/jalr that saves the return address in ra. */
export function isCall(i: Inst): boolean {
  return (i.op === Op.JAL || i.op === Op.JALR) && i.rd === 1;
}

const LOADS = new Map<Op, number>([
  [Op.LB, 1], [Op.LBU, 1], [Op.LH, 2], [Op.LHU, 2], [Op.LW, 4], [Op.LWU, 4], [Op.LD, 8], [Op.FLW, 4], [Op.FLD, 8],
]);
const STORES = new Map<Op, number>([[Op.SB, 1], [Op.SH, 2], [Op.SW, 4], [Op.SD, 8], [Op.FSW, 4], [Op.FSD, 8]]);

/** The memory an instruction reads and writes: address and size, from the task's registers. */
export function memoryAccess(i: Inst, t: Task): { address: number; size: number; read: boolean; write: boolean } | null {
  const base = (r: number, off: number) => Number(BigInt.asUintN(64, t.regs.getReg(r) + BigInt(off)));
  const load = LOADS.get(i.op);
  if (load !== undefined) return { address: base(i.rs1, i.imm), size: load, read: true, write: false };
  const st = STORES.get(i.op);
  if (st !== undefined) return { address: base(i.rs1, i.imm), size: st, read: false, write: true };
  if (i.op >= Op.LR_W && i.op <= Op.AMOMAXU_D) {
    const size = i.op >= Op.LR_D ? 8 : 4;
    const lr = i.op === Op.LR_W || i.op === Op.LR_D;
    return { address: base(i.rs1, 0), size, read: true, write: !lr };
  }
  return null;
}
