/**
 * The disassembler: the text GNU objdump 2.40 (`riscv64-linux-gnu-objdump -d`) prints for an
 * instruction, character for character, so a student can compare our listing with objdump's.
 *
 * Names, operand syntax and aliases all come from the instruction table (table.ts). What lives
 * here is objdump's way of printing them, including its one piece of state: objdump remembers
 * the address each `lui`/`auipc` builds in a register and, when a later addi/load/store/jalr
 * uses that register as its base, appends the resulting address as a comment
 * (`ld a5,-1122(a4) # 76fe0 <…>`). It does the same for gp-relative (given `__global_pointer$`),
 * tp-relative and x0-relative addresses. A DisasmContext carries that state from one
 * instruction to the next; disassembling a listing in address order with one context
 * reproduces objdump's comments exactly.
 */
import { csrName, DEFAULT_PRIV_SPEC, PrivSpec } from './csr';
import { compressedDef } from './decode';
import { Inst, Op } from './ops';
import {
  AliasDef, ALIASES_BY_OP, F_NAMES, Field, Fmt, holds, INSTR_BY_OP, Operand, PRIVILEGED, RM_DYN, RM_NAMES,
  X_NAMES,
} from './table';

const MASK64 = (1n << 64n) - 1n;
const REG_GP = 3, REG_TP = 4;

/** objdump's disassembler state, carried between the instructions of one listing. */
export class DisasmContext {
  /** hi[r]: the address the last unconsumed lui/auipc wrote to register r. */
  private readonly hi: (bigint | undefined)[] = new Array<bigint | undefined>(32).fill(undefined);

  /** Value of the `__global_pointer$` symbol, when the program has one. */
  readonly gp: bigint | undefined;
  /** The privileged-spec version the program was built for (it picks some CSR names). */
  readonly privSpec: PrivSpec;

  constructor(opts: { gp?: bigint; privSpec?: PrivSpec } = {}) {
    this.gp = opts.gp;
    this.privSpec = opts.privSpec ?? DEFAULT_PRIV_SPEC;
  }

  /** Forgets every remembered lui/auipc result (a fresh listing). */
  reset(): void {
    this.hi.fill(undefined);
  }

  /** Records that register `rd` now holds `value` (a lui/auipc result). */
  setHi(rd: number, value: bigint): void {
    this.hi[rd] = value & MASK64;
  }

  /**
   * The address an access `offset(base)` refers to, as objdump works it out: a remembered
   * lui/auipc value of `base` (used once), else gp + offset for gp, else the bare offset for
   * tp and x0. Undefined when objdump would print no comment.
   */
  resolve(base: number, offset: number, wide: boolean): bigint | undefined {
    let addr: bigint;
    const hi = this.hi[base];
    if (hi !== undefined) {
      addr = (base !== 0 ? hi : 0n) + BigInt(offset);
      this.hi[base] = undefined;
    } else if (base === REG_GP && this.gp !== undefined) {
      addr = this.gp + BigInt(offset);
    } else if (base === REG_TP || base === 0) {
      addr = BigInt(offset);
    } else {
      return undefined;
    }
    // addiw computes a 32-bit result: objdump sign-extends the address from bit 31.
    if (wide) addr = BigInt.asIntN(32, addr);
    return addr & MASK64;
  }
}

/** Used when the caller passes no context: every call then starts from a clean state. */
const scratch = new DisasmContext();

const AMO_SUFFIX = ['', '.rl', '.aq', '.aqrl'];

/** Fence predecessor/successor set: some of i, o, r, w (objdump says "unknown" for none). */
function fenceSet(bits: number): string {
  let s = '';
  if (bits & 8) s += 'i';
  if (bits & 4) s += 'o';
  if (bits & 2) s += 'r';
  if (bits & 1) s += 'w';
  return s === '' ? 'unknown' : s;
}

const hex = (n: number | bigint): string => `0x${n.toString(16)}`;

/** c.addi16sp with a zero immediate: reserved, yet objdump decodes it. */
const ADDI16SP_ZERO = 0x6101;

/**
 * The text for an encoding user mode cannot execute: a privileged instruction's name, the
 * few reserved encodings objdump still decodes, or the raw-data form objdump uses otherwise.
 */
function undecodable(inst: Inst, word: number): string {
  if (inst.len === 2) {
    const h = word & 0xffff;
    if (h === 0) return 'unimp';
    if (h === ADDI16SP_ZERO) return 'add\tsp,sp,0';
    return `.2byte\t${hex(h)}`;
  }
  const p = PRIVILEGED.find((d) => (word & d.mask) === d.match);
  if (p === undefined) return `.4byte\t${hex(word >>> 0)}`;
  const regs = p.operands.map((o) => X_NAMES[(word >>> (o === 'rs1' ? 15 : 20)) & 31]);
  return regs.length === 0 ? p.name : `${p.name}\t${regs.join(',')}`;
}

/**
 * Encodings our decoder accepts but objdump's opcode table does not list (it prints them as
 * raw data): fences with non-zero reserved fields or an unknown fence mode, and a non-zero
 * rounding mode on the exact conversions, whose syntax has no rounding mode.
 */
function objdumpRejects(inst: Inst): boolean {
  switch (inst.op) {
    case Op.FENCE:
      return inst.rd !== 0 || inst.rs1 !== 0 || (inst.imm >>> 8 !== 0 && inst.imm !== 0x833);
    case Op.FENCE_I:
      return inst.rd !== 0 || inst.rs1 !== 0 || inst.imm !== 0;
  }
  const d = INSTR_BY_OP[inst.op];
  if (d === undefined || inst.rm === 0) return false;
  const hasRmField = d.fmt === Fmt.RM || d.fmt === Fmt.R2M || d.fmt === Fmt.R4;
  return hasRmField && !d.operands.includes('rm');
}

function firstHolding(forms: readonly AliasDef[], f: Readonly<Record<Field, number>>): AliasDef | undefined {
  return forms.find((a) => a.when.every((c) => holds(c, f)));
}

/**
 * The text objdump prints for one instruction (mnemonic, a tab, the operands, and any
 * ` # address <symbol>` comment), without the address and raw-bytes columns.
 *
 * `word` holds the instruction's bytes (the low 16 bits for a compressed one); `inst` is its
 * decoding. `symbolize(addr)` returns the text objdump would put between `<` and `>` for an
 * address (`main+0x1c`), or undefined to print the bare address. Addresses are 64-bit: `addr`
 * is exact below 2^53 (every user address) and `exact` always is (comments can show wrapped
 * addresses such as ffffffffffffff80). `ctx` carries objdump's lui/auipc tracking from one
 * call to the next (see DisasmContext); without it each call starts from a clean state.
 */
export function disassemble(
  inst: Inst,
  pc: number,
  word: number,
  symbolize?: (addr: number, exact: bigint) => string | undefined,
  ctx?: DisasmContext,
): string {
  const def = INSTR_BY_OP[inst.op];
  if (def === undefined || (inst.len === 4 && objdumpRejects(inst))) return undecodable(inst, word);
  const c = ctx ?? scratch;
  if (ctx === undefined) scratch.reset();

  // Choose the spelling: a compressed encoding's own form, else the first alias that applies.
  const f = { rd: inst.rd, rs1: inst.rs1, rs2: inst.rs2, imm: inst.imm };
  const cdef = inst.len === 2 ? compressedDef(word) : undefined;
  const form = (cdef && firstHolding(cdef.forms, f)) ?? firstHolding(ALIASES_BY_OP[inst.op], f);
  let name = form?.name ?? def.name;
  const operands: readonly Operand[] = form?.operands ?? def.operands;
  if (def.fmt === Fmt.AMO || def.fmt === Fmt.LR) name += AMO_SUFFIX[inst.rm];

  let comment: bigint | undefined;
  const resolve = (base: number, wide = false): void => {
    const a = c.resolve(base, inst.imm, wide);
    if (a !== undefined) comment = a;
  };
  const address = (a: bigint): string => {
    const sym = symbolize?.(Number(a), a);
    return sym === undefined ? a.toString(16) : `${a.toString(16)} <${sym}>`;
  };
  // objdump's address tracking only looks at 32-bit encodings, except for c.addi/c.addiw.
  const full = inst.len === 4;
  const cname = cdef?.name;

  const text: string[] = [];
  for (const op of operands) {
    switch (op) {
      case 'rd':
        if (inst.op === Op.LUI) c.setHi(inst.rd, BigInt(inst.imm));
        else if (inst.op === Op.AUIPC) c.setHi(inst.rd, BigInt(pc) + BigInt(inst.imm));
        text.push(X_NAMES[inst.rd]);
        break;
      case 'rs1':
        if (full && inst.op === Op.JALR) resolve(inst.rs1);
        text.push(X_NAMES[inst.rs1]);
        break;
      case 'rs2': text.push(X_NAMES[inst.rs2]); break;
      case 'fd': text.push(F_NAMES[inst.rd]); break;
      case 'fs1': text.push(F_NAMES[inst.rs1]); break;
      case 'fs2': text.push(F_NAMES[inst.rs2]); break;
      case 'fs3': text.push(F_NAMES[inst.rs3]); break;
      case 'imm':
        if (full ? inst.rs1 !== 0 : inst.rd !== 0 && (cname === 'c.addi' || cname === 'c.addiw')) {
          if (inst.op === Op.ADDI) resolve(inst.rs1);
          else if (inst.op === Op.ADDIW) resolve(inst.rs1, true);
        }
        text.push(String(inst.imm));
        break;
      case 'shamt': text.push(hex(inst.imm)); break;
      case 'hi20': text.push(hex((inst.imm >>> 12) & 0xfffff)); break;
      case 'off(rs1)':
        if (full) {
          resolve(inst.rs1);
          // For jalr objdump looks the base up a second time (gp/tp/x0 then win over lui/auipc).
          if (inst.op === Op.JALR) resolve(inst.rs1);
        }
        text.push(`${inst.imm}(${X_NAMES[inst.rs1]})`);
        break;
      case '(rs1)': text.push(`(${X_NAMES[inst.rs1]})`); break;
      case 'target': text.push(address((BigInt(pc) + BigInt(inst.imm)) & MASK64)); break;
      case 'csr': text.push(csrName(inst.imm, c.privSpec)); break;
      case 'zimm': text.push(String(inst.rs1)); break;
      case 'rm': if (inst.rm !== RM_DYN) text.push(RM_NAMES[inst.rm]); break;
      case 'pred': text.push(fenceSet((inst.imm >>> 4) & 15)); break;
      case 'succ': text.push(fenceSet(inst.imm & 15)); break;
    }
  }
  let out = text.length === 0 ? name : `${name}\t${text.join(',')}`;
  if (comment !== undefined) out += ` # ${address(comment)}`;
  return out;
}
