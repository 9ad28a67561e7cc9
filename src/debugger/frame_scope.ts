/**
 * What a stack frame sees: its variables (DWARF locals, parameters and globals for a user frame;
 * the recorded locals of a kernel function), the task's registers, and the guest memory behind
 * them — as an expression scope (expr.ts) and as C values (cvalue.ts).
 */
import { DW_AT, DW_TAG, type Dwarf, type Frame, type Type, type Variable } from '../dwarf';
import type { Kernel } from '../kernel/kernel';
import type { Task } from '../kernel/task';
import { ABI_NAMES } from '../cpu/state';
import { codeLabel } from './code_names';
import { BUILTIN, fromBigInt, valueAt, ValueError, type CValue, type ValueEnv } from './cvalue';
import type { EValue, EvalScope } from './expr';
import type { ImageStore } from './images';
import { dwarfReader, readMemory } from './memory';
import { registerFile, type StackFrame } from './stack';

const FP_NAMES = ['ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5',
  'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11'];

/** The DWARF register number of a register name (`a0`, `x10`, `fp`, `fa0`, `f10`), or -1 for pc. */
export function registerNumber(name: string): number | undefined {
  if (name === 'pc') return -1;
  if (name === 'fp') return 8;
  const abi = ABI_NAMES.indexOf(name);
  if (abi >= 0) return abi;
  const fp = FP_NAMES.indexOf(name);
  if (fp >= 0) return 32 + fp;
  const m = /^([xf])(\d+)$/.exec(name);
  if (m !== null && Number(m[2]) < 32) return (m[1] === 'x' ? 0 : 32) + Number(m[2]);
  return undefined;
}

/**
 * The user's changes to the machine, made through the debugger, which records them for replays
 * (debugger.ts writeMemory / writeRegister).
 */
export interface MachineEdits {
  writeMemory(t: Task, addr: number, bytes: Uint8Array): void;
  /** DWARF register numbering: x0–x31, then f0–f31 as raw 64-bit patterns. */
  writeRegister(t: Task, r: number, value: bigint): void;
}

export class FrameScope implements EvalScope {
  readonly env: ValueEnv;
  /** The frame's registers (DWARF numbering); outer frames know only what the unwinder recovered. */
  private readonly regs: readonly (bigint | undefined)[];
  private readonly pc: number;

  constructor(
    private readonly k: Kernel,
    private readonly images: ImageStore,
    private readonly task: Task,
    readonly frame: StackFrame | undefined,
    edits: MachineEdits,
  ) {
    const u = frame?.user;
    const innermost = u === undefined || u.index === 0;
    this.regs = u !== undefined ? u.frames[u.index].regs : frame?.regs ?? registerFile(task);
    this.pc = u !== undefined ? frame?.pc ?? task.regs.pc : task.regs.pc;
    this.env = {
      read: (a, n) => readMemory(k, task, a, n),
      write: (a, bytes) => edits.writeMemory(task, a, bytes),
      readRegister: (r) => this.regs[r],
      writeRegister: (r, v) => {
        if (!innermost) throw new ValueError('registers of outer frames cannot be changed; select the innermost user frame');
        edits.writeRegister(task, r, v);
      },
      symbolize: (a) => this.symbolize(a),
    };
  }

  symbolize(address: number): string | undefined {
    if (this.task.mm === null) return undefined;
    const m = this.images.moduleAt(this.task.mm, address);
    return m === undefined ? undefined : codeLabel(m, address);
  }

  private get dwarf(): { dwarf: Dwarf; frames: readonly Frame[]; index: number } | undefined {
    const u = this.frame?.user;
    const dwarf = u?.module.image.dwarf;
    return u === undefined || dwarf == null ? undefined : { dwarf, frames: u.frames, index: u.index };
  }

  /** The frame's own variables (innermost block first), for Locals and Arguments. */
  get variables(): readonly Variable[] {
    return this.frame?.user?.inline?.variables ?? [];
  }

  /** The value of a DWARF variable of this frame (throws ValueError when it has none here). */
  valueOf(v: Variable): CValue {
    const d = this.dwarf ?? this.moduleDwarf();
    if (d === undefined) throw new ValueError('no debug information here');
    const loc = d.dwarf.locate(v, d.frames, d.index, dwarfReader(this.k, this.task));
    switch (loc.kind) {
      case 'memory': return valueAt(this.env, v.type, Number(BigInt.asUintN(64, loc.address)));
      case 'register': {
        const r = this.regs[loc.reg];
        if (r === undefined) throw new ValueError(`its register is not known in this frame`);
        const c = fromBigInt(v.type, r);
        return { ...c, place: { kind: 'register', reg: loc.reg } };
      }
      case 'value': return fromBigInt(v.type, loc.value);
      case 'implicit': return { type: v.type, bytes: loc.bytes, place: { kind: 'none' } };
      case 'unavailable': throw new ValueError(loc.reason);
      default: throw new ValueError(`its location (${loc.kind}) cannot be shown`);
    }
  }

  /** For globals seen from a kernel frame or a frame without DWARF: the program's DWARF. */
  private moduleDwarf(): { dwarf: Dwarf; frames: readonly Frame[]; index: number } | undefined {
    const mm = this.task.mm;
    if (mm === null) return undefined;
    for (const m of this.images.modules(mm)) {
      const dwarf = m.image.dwarf;
      if (dwarf !== null && dwarf.info.units.length > 0) return { dwarf, frames: [{ pc: this.pc - m.bias, regs: this.regs, returnAddress: false }], index: 0 };
    }
    return undefined;
  }

  variable(name: string): EValue | undefined {
    const kf = this.frame?.kframe;
    if (kf !== undefined) {
      const v = kf.locals?.[name];
      if (v !== undefined) return plainValue(v);
    }
    const local = this.variables.find((v) => v.name === name);
    if (local !== undefined) return this.valueOf(local);
    const d = this.dwarf ?? this.moduleDwarf();
    const global = d?.dwarf.globals.find((v) => v.name === name);
    if (global !== undefined) return this.valueOf(global);
    // A kernel frame's task fields (`pid`, `comm`, `tgid`) are usable in conditions.
    if (kf !== undefined) {
      const field = (this.task as unknown as Record<string, unknown>)[name];
      if (typeof field === 'number' || typeof field === 'string') return plainValue(field);
    }
    return undefined;
  }

  /** The raw bits of DWARF register `r` in this frame, or undefined where the unwinder could not recover it. */
  registerBits(r: number): bigint | undefined {
    return this.regs[r];
  }

  register(name: string): CValue | undefined {
    const r = registerNumber(name);
    if (r === undefined) return undefined;
    if (r === -1) return fromBigInt(BUILTIN.ulong, BigInt(this.pc));
    const v = this.regs[r];
    if (v === undefined) return undefined;
    return { ...fromBigInt(r >= 32 ? BUILTIN.double : BUILTIN.long, v), place: { kind: 'register', reg: r } };
  }

  type(name: string): Type | undefined {
    const d = this.dwarf ?? this.moduleDwarf();
    return d === undefined ? undefined : typeNamed(d.dwarf, name);
  }
}

/** A kernel local (plain data) as an expression value. */
function plainValue(v: unknown): EValue | undefined {
  if (typeof v === 'number') return fromBigInt(BUILTIN.long, BigInt(Math.trunc(v)));
  if (typeof v === 'bigint') return fromBigInt(BUILTIN.ulong, v);
  if (typeof v === 'boolean') return fromBigInt(BUILTIN.int, v ? 1n : 0n);
  if (typeof v === 'string') return { kind: 'string', text: v };
  return undefined;
}

const typeIndex = new WeakMap<Dwarf, Map<string, Type>>();

/** A named type of the program: typedefs and base types by name, `struct x`, `union x`, `enum x`. */
function typeNamed(dwarf: Dwarf, name: string): Type | undefined {
  let index = typeIndex.get(dwarf);
  if (index === undefined) {
    index = new Map();
    const prefix: Record<number, string> = { [DW_TAG.structure_type]: 'struct ', [DW_TAG.union_type]: 'union ', [DW_TAG.enumeration_type]: 'enum ' };
    for (const unit of dwarf.info.compileUnits) {
      for (const die of unit.dies()) {
        const n = die.name;
        if (n === undefined) continue;
        if (die.tag === DW_TAG.typedef || die.tag === DW_TAG.base_type) {
          if (!index.has(n)) index.set(n, dwarf.types.type(die));
        } else if (prefix[die.tag] !== undefined && !die.flag(DW_AT.declaration)) {
          const key = prefix[die.tag] + n;
          if (!index.has(key)) index.set(key, dwarf.types.type(die));
        }
      }
    }
    typeIndex.set(dwarf, index);
  }
  return index.get(name);
}
