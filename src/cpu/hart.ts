/**
 * One user-mode RV64GC hart: RV64IMAFDC + Zicsr + Zifencei, as Linux runs user code.
 *
 * `run` executes in two ways. Cold code is interpreted over the decode cache
 * (decode-cache.ts): the instruction at offset `off` of the current code page is two words of
 * the page's slot array, and one big switch executes it. Hot code runs as compiled blocks
 * (jit.ts): at every block boundary — a page change, a branch or jump, the end of a block —
 * the loop runs the block compiled there, or counts towards compiling it. Everything the loop
 * touches is a local: the register halves, the TLB arrays, the code page. Nothing allocates
 * per instruction; BigInt appears only when a trap is reported.
 *
 * It knows nothing about Linux: ecall and faults leave `run` with the RISC-V cause (trap.ts)
 * and the kernel decides what they mean. Conventions the kernel relies on:
 * - On a trap, `ctx.pc` is the trapping instruction and nothing of it took effect — except
 *   ecall, which counts as retired (qemu-user counts it too) but leaves pc AT the ecall: the
 *   kernel steps over it, as Linux's do_trap_ecall_u adds 4 to sepc.
 * - ebreak, illegal instructions and faults do not retire.
 * - A trap clears the LR reservation (Linux breaks it on every kernel entry, and the kernel
 *   clears it on a timer tick); a return for the budget or a breakpoint keeps it: those are
 *   the emulator's own pauses, which the guest must not see (a debugger stepping between LR
 *   and SC, or a run sliced differently, still sees the SC succeed).
 * - `run(1)` is a single step (a block only runs when the budget covers all of it). A debugger
 *   hook (`setBreakpoints`) costs nothing while no breakpoint is hit: breakpointed instructions
 *   are never cached, hence never compiled, so only the decode-miss path consults it.
 * - Values above 2^53 in a jump target are out of user space anyway; such a target is kept as
 *   the nearest double, so its reported pc/tval may be rounded.
 */
import { decode } from '../isa/decode';
import { emptyInst, Op } from '../isa/ops';
import { executeAtomic } from './amo';
import { executeCsr } from './csr';
import { CodeFrame, DecodeCache, LoopOp, packInst } from './decode-cache';
import { executeFp } from './fpu';
import { lessThan, lessThanU, mul64, out, shiftLeft, shiftRight, shiftRightArith } from './int64';
import { Block, BLOCK_FAR, BLOCK_FAULT, BlockCompiler, BlockExit, FAR_PC, HOT_ENTRIES, PAGE_VA } from './jit';
import { Mmu, USER_VA_HI_END } from './mmu';
import { executeMulDiv } from './muldiv';
import { PAGE_MASK, PAGE_SIZE, PhysMem } from './physmem';
import { CpuState } from './state';
import { USER_VA_END, USER_VPN_END } from './sv39';
import { TLB_MASK } from './tlb';
import {
  CAUSE_BREAKPOINT, CAUSE_FETCH_PAGE_FAULT, CAUSE_ILLEGAL_INSTRUCTION, CAUSE_LOAD_PAGE_FAULT,
  CAUSE_MISALIGNED_FETCH, CAUSE_STORE_PAGE_FAULT, CAUSE_USER_ECALL, STOP_BREAKPOINT, STOP_BUDGET,
} from './trap';

/** What the debugger hands the hart: the addresses (of the running context) to stop before. */
export interface BreakpointHook {
  has(pc: number): boolean;
}

export interface HartOptions {
  /**
   * Entries into a block boundary before its block is compiled to JavaScript (jit.ts), 1–255;
   * 0 never compiles (a pure interpreter). Tests run both ways.
   */
  hotEntries?: number;
}

const TWO_32 = 4294967296;
/** `off` value meaning "pc is in farPc, not in the current page" (never a real, even offset). */
const FAR = -1;
/** Stands for the code page until the loop has looked the real one up. */
const NO_CODE = new CodeFrame();
/**
 * The most instructions one call of a looping block may retire. Returning to the run loop now
 * and then costs nothing measurable, and makes V8 optimize a hot block as a function called
 * often — specialized to its closure, so the register file and TLB arrays become constants —
 * rather than by on-stack replacement inside one long call, which lacks that specialization.
 */
const BLOCK_CALL_BUDGET = 4096;
/** The largest budget `runSlice` takes: a small integer for V8 (31-bit Smi) on every platform. */
const SLICE = 1 << 29;

export class Hart {
  /** The running register context (the kernel swaps it on a task switch). */
  ctx = new CpuState();
  /**
   * The registers `run` works on: ctx is copied in on entry and back on return, so that
   * compiled blocks can hold this one register file as a constant (V8 then drops every check
   * on it).
   */
  private readonly regs = new CpuState();
  /** Instructions retired on this hart by all contexts. */
  instret = 0;
  /** After a trap: the faulting virtual address, or the illegal instruction's bits. */
  tval = 0n;

  private readonly mmu: Mmu;
  private readonly cache: DecodeCache;
  private readonly jit: BlockCompiler;
  private readonly exit = new BlockExit();
  private readonly hotEntries: number;
  private breakpoints: BreakpointHook | null = null;
  /** The context, and its pc, that stopped at a breakpoint and may pass it once (see setBreakpoints). */
  private passCtx: CpuState | null = null;
  private passPc = -1;
  private readonly inst = emptyInst();
  /** What `decodeMiss` decoded: the packed word and the immediate. */
  private missWord = 0;
  private missImm = 0;

  constructor(private readonly mem: PhysMem, options: HartOptions = {}) {
    this.mmu = new Mmu(mem);
    this.cache = new DecodeCache(mem, this.mmu.write);
    this.jit = new BlockCompiler(this.regs, this.mmu, mem, this.exit);
    this.hotEntries = options.hotEntries ?? HOT_ENTRIES;
  }

  /** Like writing satp: the Sv39 root table is frame `pfn`; flushes the TLB. */
  setRootTable(pfn: number): void {
    this.mmu.root = pfn;
    this.mmu.flush();
  }

  /** sfence.vma for all addresses. */
  flushTlb(): void {
    this.mmu.flush();
  }

  /** sfence.vma for the page `vpn`. */
  flushTlbPage(vpn: number): void {
    this.mmu.flushPage(vpn);
  }

  /**
   * `ctx` passes the breakpoint at its current pc once, as if it had stopped there: a debugger
   * that reached this place another way (replaying to it) resumes over it like from a stop.
   */
  passBreakpointOnce(ctx: CpuState): void {
    this.passCtx = ctx;
    this.passPc = ctx.pc;
  }

  /**
   * Debugger hook: `run` stops with STOP_BREAKPOINT before executing an instruction whose pc
   * the hook has. The context that stopped there passes that one breakpoint once when it runs
   * again from the same pc — that is how a debugger resumes. Any other way of arriving at a
   * breakpoint stops, including the first instruction after a system call, a page fault or a
   * timer tick. Call again whenever the set changes (it forgets decoded instructions).
   */
  setBreakpoints(hook: BreakpointHook | null): void {
    this.breakpoints = hook;
    this.cache.clear();
  }

  /**
   * Executes `ctx` until a trap, or until `maxInsns` (a positive integer) instructions retired.
   * Returns the trap's scause (trap.ts), STOP_BUDGET, or STOP_BREAKPOINT.
   */
  run(maxInsns: number): number {
    // The breakpoint stopped at is passed only by the same context resuming at that pc.
    if (this.passCtx !== this.ctx || this.passPc !== this.ctx.pc) this.passCtx = null;
    this.regs.copyFrom(this.ctx);
    // The loop counts in small integers: a budget V8 would hold as a heap number would
    // allocate on every decrement. Large budgets run in slices.
    let cause = STOP_BUDGET;
    for (let left = maxInsns; left > 0 && cause === STOP_BUDGET; left -= SLICE) {
      cause = this.runSlice(Math.min(left, SLICE));
    }
    this.ctx.copyFrom(this.regs);
    if (cause >= 0) this.ctx.reservation = -1;
    if (cause === STOP_BREAKPOINT) {
      this.passCtx = this.ctx;
      this.passPc = this.ctx.pc;
    }
    return cause;
  }

  /** `run` for a budget below 2^30. */
  private runSlice(maxInsns: number): number {
    const regs = this.regs, x = regs.x, fbits = regs.fbits;
    const mmu = this.mmu, dv = this.mem.view, frames = this.cache.frames, exit = this.exit;
    const rTag = mmu.read.tag, rPfn = mmu.read.pfn;
    const wTag = mmu.write.tag, wPfn = mmu.write.pfn;
    const xTag = mmu.fetch.tag, xPfn = mmu.fetch.pfn;
    const hot = this.hotEntries;
    if (regs.pc % 2 !== 0) {
      this.tval = BigInt.asUintN(64, BigInt(regs.pc));
      return CAUSE_MISALIGNED_FETCH;
    }
    let left = maxInsns | 0;
    let cause = STOP_BUDGET;
    // Where pc is: offset `off` in the code page at virtual `pageVa` (frame `pfn`, cached code
    // `frame`, its decoded slots `code`), or farPc when off is FAR. Starting FAR makes the
    // loop look the page up.
    let pageVa = 0, pfn = 0, frame = NO_CODE, code = frame.slots, off = FAR, farPc = regs.pc;

    // The outer loop runs at block boundaries (a page change, the target or fallthrough of a
    // branch or jump, the end of a compiled block); the inner loop interprets one instruction
    // at a time up to the next boundary.
    boundary: while (left > 0) {
      if (off >>> 0 >= PAGE_SIZE) {
        // pc left the page (or this is the first instruction): find the new code page.
        const pc = off === FAR ? farPc : pageVa + off;
        const vpn = Math.floor(pc / PAGE_SIZE);
        pfn = -1;
        if (pc >= 0 && pc < USER_VA_END) {
          const e = vpn & TLB_MASK;
          pfn = xTag[e] === vpn ? xPfn[e] : mmu.fetchFrame(vpn);
        }
        if (pfn < 0) {
          mmu.faultAddr = BigInt.asUintN(64, BigInt(pc));
          cause = CAUSE_FETCH_PAGE_FAULT;
          break;
        }
        frame = frames[pfn] ?? this.cache.frame(pfn);
        code = frame.slots;
        pageVa = vpn * PAGE_SIZE;
        exit.va[PAGE_VA] = pageVa;
        off = (pc - pageVa) | 0;
      }
      // Run the compiled block here, or count towards compiling it.
      const compiled = frame.blocks[off >> 1];
      if (compiled !== null) {
        if (compiled.length <= left) {
          // `| 0`: a call's result is untyped for V8; pc offsets stay int32 everywhere.
          const next = compiled.run(left < BLOCK_CALL_BUDGET ? left : BLOCK_CALL_BUDGET) | 0;
          left -= exit.retired;
          if (next === BLOCK_FAULT) {
            off = exit.off;
            cause = exit.cause;
            break;
          }
          if (next === BLOCK_FAR) {
            off = FAR;
            farPc = exit.va[FAR_PC];
          } else {
            off = next;
          }
          continue;
        }
      } else if (++frame.heat[off >> 1] === hot) {
        frame.blocks[off >> 1] = this.compile(frame, pageVa, pfn, off);
        continue;
      }

      for (;;) {
        let w = code[off], imm: number;
        if (w !== 0) {
          imm = code[off + 1];
        } else {
          const stop = this.decodeMiss(pageVa + off, pfn, off);
          if (stop !== 0) {
            cause = stop;
            break boundary;
          }
          w = this.missWord;
          imm = this.missImm;
          // A store to this page may have dropped the code we were reading.
          frame = this.cache.frame(pfn);
          code = frame.slots;
        }
        // Register fields as indices of the low words in x (2 × register number).
        const rd = (w >>> 7) & 62, r1 = (w >>> 12) & 62, r2 = (w >>> 17) & 62;
        const next = off + 4 - ((w >>> 30) & 2);

        switch (w & 255) {
          case LoopOp.NOP:
          case Op.FENCE:
          case Op.FENCE_I: // the interpreter always sees stored code, and compiled blocks end before it
            break;

          // ---- upper immediates; jumps and branches, which end the straight line ----
          case Op.LUI:
            x[rd] = imm;
            x[rd + 1] = imm >> 31;
            break;
          case Op.AUIPC: {
            const v = pageVa + off + imm;
            x[rd] = v;
            x[rd + 1] = Math.floor(v / TWO_32);
            break;
          }
          case Op.JAL:
            if (rd !== 0) {
              const link = pageVa + next;
              x[rd] = link;
              x[rd + 1] = Math.floor(link / TWO_32);
            }
            off += imm;
            left--;
            continue boundary;
          case Op.JALR: {
            const blo = x[r1], lo = (blo + imm) | 0, hi = sumHi(blo, x[r1 + 1], imm, lo);
            if (rd !== 0) {
              const link = pageVa + next;
              x[rd] = link;
              x[rd + 1] = Math.floor(link / TWO_32);
            }
            const d = hi * TWO_32 + ((lo & ~1) >>> 0) - pageVa;
            if (d >= 0 && d < PAGE_SIZE) {
              off = d | 0;
            } else {
              off = FAR;
              farPc = pageVa + d;
            }
            left--;
            continue boundary;
          }
          case Op.BEQ:
            off = x[r1] === x[r2] && x[r1 + 1] === x[r2 + 1] ? off + imm : next;
            left--;
            continue boundary;
          case Op.BNE:
            off = x[r1] !== x[r2] || x[r1 + 1] !== x[r2 + 1] ? off + imm : next;
            left--;
            continue boundary;
          case Op.BLT:
            off = lessThan(x[r1], x[r1 + 1], x[r2], x[r2 + 1]) ? off + imm : next;
            left--;
            continue boundary;
          case Op.BGE:
            off = !lessThan(x[r1], x[r1 + 1], x[r2], x[r2 + 1]) ? off + imm : next;
            left--;
            continue boundary;
          case Op.BLTU:
            off = lessThanU(x[r1], x[r1 + 1], x[r2], x[r2 + 1]) ? off + imm : next;
            left--;
            continue boundary;
          case Op.BGEU:
            off = !lessThanU(x[r1], x[r1 + 1], x[r2], x[r2 + 1]) ? off + imm : next;
            left--;
            continue boundary;

          // ---- loads and stores: the TLB hit inline; a miss or a page-crossing access goes
          // through the MMU (a fault leaves with the address in mmu.faultAddr) ----
          case Op.LB: {
            const blo = x[r1], lo = (blo + imm) | 0, hi = sumHi(blo, x[r1 + 1], imm, lo);
            const pa = tlbAddress(rTag, rPfn, lo, hi, 1);
            let v: number;
            if (pa >= 0) v = dv.getInt8(pa);
            else if (mmu.load(lo, hi, 1)) v = (mmu.lo << 24) >> 24;
            else { cause = CAUSE_LOAD_PAGE_FAULT; break boundary; }
            if (rd !== 0) { x[rd] = v; x[rd + 1] = v >> 31; }
            break;
          }
          case Op.LBU: {
            const blo = x[r1], lo = (blo + imm) | 0, hi = sumHi(blo, x[r1 + 1], imm, lo);
            const pa = tlbAddress(rTag, rPfn, lo, hi, 1);
            let v: number;
            if (pa >= 0) v = dv.getUint8(pa);
            else if (mmu.load(lo, hi, 1)) v = mmu.lo;
            else { cause = CAUSE_LOAD_PAGE_FAULT; break boundary; }
            if (rd !== 0) { x[rd] = v; x[rd + 1] = 0; }
            break;
          }
          case Op.LH: {
            const blo = x[r1], lo = (blo + imm) | 0, hi = sumHi(blo, x[r1 + 1], imm, lo);
            const pa = tlbAddress(rTag, rPfn, lo, hi, 2);
            let v: number;
            if (pa >= 0) v = dv.getInt16(pa, true);
            else if (mmu.load(lo, hi, 2)) v = (mmu.lo << 16) >> 16;
            else { cause = CAUSE_LOAD_PAGE_FAULT; break boundary; }
            if (rd !== 0) { x[rd] = v; x[rd + 1] = v >> 31; }
            break;
          }
          case Op.LHU: {
            const blo = x[r1], lo = (blo + imm) | 0, hi = sumHi(blo, x[r1 + 1], imm, lo);
            const pa = tlbAddress(rTag, rPfn, lo, hi, 2);
            let v: number;
            if (pa >= 0) v = dv.getUint16(pa, true);
            else if (mmu.load(lo, hi, 2)) v = mmu.lo;
            else { cause = CAUSE_LOAD_PAGE_FAULT; break boundary; }
            if (rd !== 0) { x[rd] = v; x[rd + 1] = 0; }
            break;
          }
          case Op.LW: {
            const blo = x[r1], lo = (blo + imm) | 0, hi = sumHi(blo, x[r1 + 1], imm, lo);
            const pa = tlbAddress(rTag, rPfn, lo, hi, 4);
            let v: number;
            if (pa >= 0) v = dv.getInt32(pa, true);
            else if (mmu.load(lo, hi, 4)) v = mmu.lo;
            else { cause = CAUSE_LOAD_PAGE_FAULT; break boundary; }
            if (rd !== 0) { x[rd] = v; x[rd + 1] = v >> 31; }
            break;
          }
          case Op.LWU: {
            const blo = x[r1], lo = (blo + imm) | 0, hi = sumHi(blo, x[r1 + 1], imm, lo);
            const pa = tlbAddress(rTag, rPfn, lo, hi, 4);
            let v: number;
            if (pa >= 0) v = dv.getInt32(pa, true);
            else if (mmu.load(lo, hi, 4)) v = mmu.lo;
            else { cause = CAUSE_LOAD_PAGE_FAULT; break boundary; }
            if (rd !== 0) { x[rd] = v; x[rd + 1] = 0; }
            break;
          }
          case Op.LD:
          case Op.FLD: {
            const blo = x[r1], lo = (blo + imm) | 0, hi = sumHi(blo, x[r1 + 1], imm, lo);
            const pa = tlbAddress(rTag, rPfn, lo, hi, 8);
            let v: number, vhi: number;
            if (pa >= 0) { v = dv.getInt32(pa, true); vhi = dv.getInt32(pa + 4, true); }
            else if (mmu.load(lo, hi, 8)) { v = mmu.lo; vhi = mmu.hi; }
            else { cause = CAUSE_LOAD_PAGE_FAULT; break boundary; }
            if ((w & 255) === Op.FLD) { fbits[rd] = v; fbits[rd + 1] = vhi; }
            else if (rd !== 0) { x[rd] = v; x[rd + 1] = vhi; }
            break;
          }
          case Op.FLW: {
            const blo = x[r1], lo = (blo + imm) | 0, hi = sumHi(blo, x[r1 + 1], imm, lo);
            const pa = tlbAddress(rTag, rPfn, lo, hi, 4);
            let v: number;
            if (pa >= 0) v = dv.getInt32(pa, true);
            else if (mmu.load(lo, hi, 4)) v = mmu.lo;
            else { cause = CAUSE_LOAD_PAGE_FAULT; break boundary; }
            // A single in a double register is NaN-boxed: the upper word all ones.
            fbits[rd] = v;
            fbits[rd + 1] = -1;
            break;
          }
          case Op.SB: {
            const blo = x[r1], lo = (blo + imm) | 0, hi = sumHi(blo, x[r1 + 1], imm, lo);
            const pa = tlbAddress(wTag, wPfn, lo, hi, 1);
            if (pa >= 0) dv.setInt8(pa, x[r2]);
            else if (!mmu.store(lo, hi, 1, x[r2], 0)) { cause = CAUSE_STORE_PAGE_FAULT; break boundary; }
            break;
          }
          case Op.SH: {
            const blo = x[r1], lo = (blo + imm) | 0, hi = sumHi(blo, x[r1 + 1], imm, lo);
            const pa = tlbAddress(wTag, wPfn, lo, hi, 2);
            if (pa >= 0) dv.setInt16(pa, x[r2], true);
            else if (!mmu.store(lo, hi, 2, x[r2], 0)) { cause = CAUSE_STORE_PAGE_FAULT; break boundary; }
            break;
          }
          case Op.SW:
          case Op.FSW: {
            const blo = x[r1], lo = (blo + imm) | 0, hi = sumHi(blo, x[r1 + 1], imm, lo);
            const src = (w & 255) === Op.SW ? x : fbits;
            const pa = tlbAddress(wTag, wPfn, lo, hi, 4);
            if (pa >= 0) dv.setInt32(pa, src[r2], true);
            else if (!mmu.store(lo, hi, 4, src[r2], 0)) { cause = CAUSE_STORE_PAGE_FAULT; break boundary; }
            break;
          }
          case Op.SD:
          case Op.FSD: {
            const blo = x[r1], lo = (blo + imm) | 0, hi = sumHi(blo, x[r1 + 1], imm, lo);
            const src = (w & 255) === Op.SD ? x : fbits;
            const pa = tlbAddress(wTag, wPfn, lo, hi, 8);
            if (pa >= 0) { dv.setInt32(pa, src[r2], true); dv.setInt32(pa + 4, src[r2 + 1], true); }
            else if (!mmu.store(lo, hi, 8, src[r2], src[r2 + 1])) { cause = CAUSE_STORE_PAGE_FAULT; break boundary; }
            break;
          }

          // ---- integer register-immediate ----
          case Op.ADDI: {
            const a = x[r1], lo = (a + imm) | 0;
            x[rd + 1] = sumHi(a, x[r1 + 1], imm, lo);
            x[rd] = lo;
            break;
          }
          case Op.SLTI:
            x[rd] = lessThan(x[r1], x[r1 + 1], imm, imm >> 31) ? 1 : 0;
            x[rd + 1] = 0;
            break;
          case Op.SLTIU:
            x[rd] = lessThanU(x[r1], x[r1 + 1], imm, imm >> 31) ? 1 : 0;
            x[rd + 1] = 0;
            break;
          case Op.XORI:
            x[rd] = x[r1] ^ imm;
            x[rd + 1] = x[r1 + 1] ^ (imm >> 31);
            break;
          case Op.ORI:
            x[rd] = x[r1] | imm;
            x[rd + 1] = x[r1 + 1] | (imm >> 31);
            break;
          case Op.ANDI:
            x[rd] = x[r1] & imm;
            x[rd + 1] = x[r1 + 1] & (imm >> 31);
            break;
          case Op.SLLI:
            shiftLeft(x, rd, x[r1], x[r1 + 1], imm);
            break;
          case Op.SRLI:
            shiftRight(x, rd, x[r1], x[r1 + 1], imm);
            break;
          case Op.SRAI:
            shiftRightArith(x, rd, x[r1], x[r1 + 1], imm);
            break;

          // ---- integer register-register ----
          case Op.ADD: {
            const a = x[r1], b = x[r2], lo = (a + b) | 0;
            x[rd + 1] = (x[r1 + 1] + x[r2 + 1] + (((a & b) | ((a | b) & ~lo)) >>> 31)) | 0;
            x[rd] = lo;
            break;
          }
          case Op.SUB: {
            const a = x[r1], b = x[r2], lo = (a - b) | 0;
            x[rd + 1] = (x[r1 + 1] - x[r2 + 1] - (((~a & b) | (~(a ^ b) & lo)) >>> 31)) | 0;
            x[rd] = lo;
            break;
          }
          case Op.SLL:
            shiftLeft(x, rd, x[r1], x[r1 + 1], x[r2] & 63);
            break;
          case Op.SRL:
            shiftRight(x, rd, x[r1], x[r1 + 1], x[r2] & 63);
            break;
          case Op.SRA:
            shiftRightArith(x, rd, x[r1], x[r1 + 1], x[r2] & 63);
            break;
          case Op.SLT:
            x[rd] = lessThan(x[r1], x[r1 + 1], x[r2], x[r2 + 1]) ? 1 : 0;
            x[rd + 1] = 0;
            break;
          case Op.SLTU:
            x[rd] = lessThanU(x[r1], x[r1 + 1], x[r2], x[r2 + 1]) ? 1 : 0;
            x[rd + 1] = 0;
            break;
          case Op.XOR:
            x[rd] = x[r1] ^ x[r2];
            x[rd + 1] = x[r1 + 1] ^ x[r2 + 1];
            break;
          case Op.OR:
            x[rd] = x[r1] | x[r2];
            x[rd + 1] = x[r1 + 1] | x[r2 + 1];
            break;
          case Op.AND:
            x[rd] = x[r1] & x[r2];
            x[rd + 1] = x[r1 + 1] & x[r2 + 1];
            break;

          // ---- 32-bit (W) forms: operate on the low words, sign-extend the result ----
          case Op.ADDIW: {
            const v = (x[r1] + imm) | 0;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case Op.SLLIW: {
            const v = x[r1] << imm;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case Op.SRLIW: {
            const v = (x[r1] >>> imm) | 0;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case Op.SRAIW: {
            const v = x[r1] >> imm;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case Op.ADDW: {
            const v = (x[r1] + x[r2]) | 0;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case Op.SUBW: {
            const v = (x[r1] - x[r2]) | 0;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case Op.SLLW: {
            const v = x[r1] << (x[r2] & 31);
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case Op.SRLW: {
            const v = (x[r1] >>> (x[r2] & 31)) | 0;
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case Op.SRAW: {
            const v = x[r1] >> (x[r2] & 31);
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }

          // ---- M ----
          case Op.MUL:
            mul64(x[r1], x[r1 + 1], x[r2], x[r2 + 1]);
            x[rd] = out[0];
            x[rd + 1] = out[1];
            break;
          case Op.MULW: {
            const v = Math.imul(x[r1], x[r2]);
            x[rd] = v;
            x[rd + 1] = v >> 31;
            break;
          }
          case Op.MULH: case Op.MULHSU: case Op.MULHU:
          case Op.DIV: case Op.DIVU: case Op.REM: case Op.REMU:
          case Op.DIVW: case Op.DIVUW: case Op.REMW: case Op.REMUW:
            executeMulDiv(w & 255, x, rd, r1, r2);
            break;

          // ---- A ----
          case Op.LR_W: case Op.SC_W: case Op.AMOSWAP_W: case Op.AMOADD_W: case Op.AMOXOR_W:
          case Op.AMOAND_W: case Op.AMOOR_W: case Op.AMOMIN_W: case Op.AMOMAX_W: case Op.AMOMINU_W:
          case Op.AMOMAXU_W:
          case Op.LR_D: case Op.SC_D: case Op.AMOSWAP_D: case Op.AMOADD_D: case Op.AMOXOR_D:
          case Op.AMOAND_D: case Op.AMOOR_D: case Op.AMOMIN_D: case Op.AMOMAX_D: case Op.AMOMINU_D:
          case Op.AMOMAXU_D: {
            const trap = executeAtomic(w & 255, regs, mmu, dv, rd, r1, r2);
            if (trap !== 0) { cause = trap; break boundary; }
            break;
          }

          // ---- system ----
          case Op.ECALL:
            // Retired, but pc stays at the ecall (see the file comment).
            left--;
            cause = CAUSE_USER_ECALL;
            break boundary;
          case Op.EBREAK:
            cause = CAUSE_BREAKPOINT;
            break boundary;
          case Op.CSRRW: case Op.CSRRS: case Op.CSRRC:
          case Op.CSRRWI: case Op.CSRRSI: case Op.CSRRCI:
            if (!executeCsr(regs, w & 255, rd >> 1, r1 >> 1, imm, this.instret + maxInsns - left)) {
              cause = CAUSE_ILLEGAL_INSTRUCTION;
              break boundary;
            }
            break;

          // ---- F and D arithmetic (every operation not named above) ----
          default:
            if (!executeFp(w & 255, regs, rd >> 1, r1 >> 1, r2 >> 1, (w >>> 23) & 31, (w >>> 28) & 7)) {
              cause = CAUSE_ILLEGAL_INSTRUCTION;
              break boundary;
            }
            // Compares, classifications and conversions may have targeted x0.
            x[0] = 0;
            x[1] = 0;
        }
        off = next;
        if (--left === 0) break boundary;
        if (off >= PAGE_SIZE) continue boundary;
      }
    }

    const pc = off === FAR ? farPc : pageVa + off;
    regs.pc = pc;
    this.instret += maxInsns - left;
    this.tval = cause === CAUSE_ILLEGAL_INSTRUCTION ? BigInt(this.fetchBits(pc, pfn, off))
      : cause === CAUSE_BREAKPOINT ? BigInt(pc)
        : cause === CAUSE_USER_ECALL || cause < 0 ? 0n
          : mmu.faultAddr; // page faults and misaligned atomics
    return cause;
  }

  /**
   * The decode-cache miss: decodes the instruction at pc (offset `off` of frame `pfn`) into
   * missWord/missImm and caches it unless it straddles two pages (its bytes then live in two
   * frames) or carries a breakpoint. Returns 0, or why the hart must stop before it.
   */
  private decodeMiss(pc: number, pfn: number, off: number): number {
    const atBreakpoint = this.breakpoints !== null && this.breakpoints.has(pc);
    if (atBreakpoint) {
      if (this.passCtx !== this.ctx || this.passPc !== pc) return STOP_BREAKPOINT;
      this.passCtx = null; // passed once; the next arrival stops again
    }
    const bits = this.fetchBits(pc, pfn, off);
    if (bits < 0) return CAUSE_FETCH_PAGE_FAULT;
    const inst = this.inst;
    decode(bits, inst);
    if (inst.op === Op.ILLEGAL) return CAUSE_ILLEGAL_INSTRUCTION;
    this.missWord = packInst(inst);
    this.missImm = inst.imm;
    if (off + inst.len <= PAGE_SIZE && !atBreakpoint) this.cacheSlot(this.cache.frame(pfn).slots, off);
    return 0;
  }

  /** Compiles the block at offset `off` of a code page, decoding ahead what can be cached. */
  private compile(frame: CodeFrame, pageVa: number, pfn: number, off: number): Block {
    return this.jit.compile(frame.slots, off, (at) => this.decodeAhead(frame.slots, pageVa + at, pfn, at));
  }

  /**
   * Decodes the instruction at pc (offset `off` of frame `pfn`) into `slots` before it runs,
   * if it is one the cache may hold: legal, inside the page (no fetch of the next page ahead
   * of time) and not at a breakpoint. Returns whether the slot is filled.
   */
  private decodeAhead(slots: Int32Array, pc: number, pfn: number, off: number): boolean {
    if (this.breakpoints !== null && this.breakpoints.has(pc)) return false;
    const dv = this.mem.view, at = pfn * PAGE_SIZE + off;
    const low = dv.getUint16(at, true);
    const long = (low & 3) === 3;
    if (long && off > PAGE_SIZE - 4) return false;
    decode(long ? dv.getUint32(at, true) : low, this.inst);
    if (this.inst.op === Op.ILLEGAL) return false;
    this.cacheSlot(slots, off);
    return true;
  }

  /** Stores the instruction in `this.inst` into slot `off`. */
  private cacheSlot(slots: Int32Array, off: number): void {
    slots[off] = packInst(this.inst);
    slots[off + 1] = this.inst.imm;
  }

  /**
   * The instruction bits at pc (offset `off` of frame `pfn`) as an unsigned number — 16 bits
   * for a compressed instruction — or -1, with faultAddr set, when the instruction straddles
   * into a page that cannot be executed.
   */
  private fetchBits(pc: number, pfn: number, off: number): number {
    const dv = this.mem.view, base = pfn * PAGE_SIZE;
    const low = dv.getUint16(base + off, true);
    if ((low & 3) !== 3) return low;
    if (off <= PAGE_SIZE - 4) return dv.getUint32(base + off, true);
    // Its upper half is the first halfword of the next page, which must be executable too;
    // the fault then names that half's address (sepc stays at the instruction).
    const vpn = Math.floor(pc / PAGE_SIZE) + 1;
    const next = vpn < USER_VPN_END ? this.mmu.fetchFrame(vpn) : -1;
    if (next < 0) {
      this.mmu.faultAddr = BigInt(vpn * PAGE_SIZE);
      return -1;
    }
    return (low | (dv.getUint16(next * PAGE_SIZE, true) << 16)) >>> 0;
  }
}

/**
 * High word of the 64-bit sum (hi:lo) + imm, where `sum` is its low word `(lo + imm) | 0`:
 * the sign extension of imm plus the carry out of the low words.
 */
function sumHi(lo: number, hi: number, imm: number, sum: number): number {
  return (hi + (imm >> 31) + (((lo & imm) | ((lo | imm) & ~sum)) >>> 31)) | 0;
}

/**
 * The physical address of a `size`-byte access at (lo, hi) when the TLB `tag`/`pfns` maps its
 * page and the access stays inside that page; otherwise -1 (the MMU's slow path takes over).
 */
function tlbAddress(tag: Int32Array, pfns: Int32Array, lo: number, hi: number, size: number): number {
  const vpn = (hi << 20) | (lo >>> 12);
  const e = vpn & TLB_MASK;
  const po = lo & PAGE_MASK;
  return hi >>> 0 < USER_VA_HI_END && tag[e] === vpn && po <= PAGE_SIZE - size
    ? pfns[e] * PAGE_SIZE + po : -1;
}
