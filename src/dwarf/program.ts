import { CallFrameInfo } from './cfi';
import type { CfiAddresses } from './cfi';
import { DW_AT, DW_OP, DW_TAG } from './constants';
import type { Die } from './die';
import { DwarfError } from './error';
import { evaluateLocation, evaluateValue } from './eval';
import type { EvalContext, Location } from './eval';
import { decodeExpression } from './expr';
import { DebugInfo } from './info';
import { parseLineProgram } from './line';
import type { LineProgram } from './line';
import { LineTable } from './line-table';
import type { LineLocation } from './line-table';
import { dieRanges } from './ranges';
import { FunctionInfo, InlinedCall, Variable, expressionAt, originChain } from './scopes';
import type { CallSite, Scope } from './scopes';
import { collectSections } from './sections';
import type { DwarfSections, SectionAddress, SectionSource } from './sections';
import { TypeReader } from './types';
import type { Unit } from './unit';
import { computeCfa, lookupPc, unwindStep } from './unwind';
import type { Frame, MemoryReader, UnwoundFrame } from './unwind';

/** One source-level frame of a physical frame: the function itself or one of its inlined calls. */
export interface InlineFrame {
  readonly scope: FunctionInfo | InlinedCall;
  readonly name: string;
  /** Where execution is in this function: the pc's line, or for outer frames the inlined call. */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  /**
   * The variables this frame sees at the pc, innermost block first; a name declared in an
   * inner block hides the same name further out, as in C.
   */
  readonly variables: readonly Variable[];
}

/** One place a source-line breakpoint goes, and the line it stops on there. */
export interface BreakpointLocation {
  readonly address: number;
  readonly line: number;
}

/** Entry values may refer to the caller's entry values, and so on up the stack, this far. */
const MAX_ENTRY_VALUE_DEPTH = 8;
/** Longest chain of tail calls followed to recover an entry value. */
const MAX_TAIL_CALLS = 4;
/** Longest backtrace `backtrace` produces. */
const MAX_FRAMES = 1024;

/**
 * The debug information of one program, built lazily from its sections: line table, functions
 * and scopes, types, location evaluation and unwinding.
 *
 * Addresses (pcs, code ranges, line-table addresses) are JS numbers: exact below 2^53, which
 * covers every guest address under Sv39/Sv48. Register contents and evaluated locations are
 * 64-bit bigints, because they may use all 64 bits.
 *
 * Queries throw only `DwarfError`, and only for the part that is malformed; the indexes over
 * all units (line table, function list) skip a broken unit and record why in `warnings`.
 */
export class Dwarf {
  readonly info: DebugInfo;
  readonly types = new TypeReader();
  /** Problems found while indexing (a unit skipped, a frame section unreadable). */
  readonly warnings: string[] = [];
  private readonly lineCache = new Map<Unit, LineProgram | null>();
  private lines: LineTable | undefined;
  private frames: CallFrameInfo | undefined;
  private fns: FunctionInfo[] | undefined;
  private fnRanges: { low: number; high: number; fn: FunctionInfo }[] = [];
  private fnMaxHigh: number[] = [];
  private globalVars: Variable[] | undefined;
  private readonly locListUnits = new Map<Unit, boolean>();

  constructor(readonly sections: DwarfSections, private readonly addresses: CfiAddresses = {}) {
    this.info = new DebugInfo(sections, (message) => this.warnings.push(message));
  }

  /**
   * Reads the DWARF of a program from its sections. `sectionAddress` gives load addresses;
   * `.eh_frame`'s is needed for its pc-relative pointers.
   */
  static load(getSection: SectionSource, sectionAddress?: SectionAddress): Dwarf {
    return new Dwarf(collectSections(getSection), {
      ehFrame: sectionAddress?.('.eh_frame'),
      text: sectionAddress?.('.text'),
      // The LSB makes DW_EH_PE_datarel relative to the GOT.
      data: sectionAddress?.('.got'),
    });
  }

  /** Runs `f` for one unit, turning a DwarfError into a warning. */
  private guarded<T>(what: string, f: () => T): T | undefined {
    try {
      return f();
    } catch (e) {
      if (!(e instanceof DwarfError)) throw e;
      this.warnings.push(`${what}: ${e.message}`);
      return undefined;
    }
  }

  // ---- lines ----

  /** The unit's line program (DW_AT_stmt_list), or undefined when it has none. */
  lineProgram(unit: Unit): LineProgram | undefined {
    const cached = this.lineCache.get(unit);
    if (cached !== undefined) return cached ?? undefined;
    const offset = unit.root.value(DW_AT.stmt_list);
    let program: LineProgram | null = null;
    if (offset?.kind === 'sectionOffset' || offset?.kind === 'constant') {
      program = parseLineProgram({
        sections: this.sections, compDir: unit.compDir, compName: unit.name, addressSize: unit.addressSize,
        indexedString: (i) => unit.indexedString(i),
      }, Number(offset.value));
    }
    this.lineCache.set(unit, program);
    return program ?? undefined;
  }

  /** The merged line table of every unit. */
  get lineTable(): LineTable {
    if (!this.lines) {
      const programs: LineProgram[] = [];
      for (const unit of this.info.compileUnits) {
        const p = this.guarded(`line program of unit 0x${unit.offset.toString(16)}`, () => this.lineProgram(unit));
        if (p) programs.push(p);
      }
      this.lines = new LineTable(programs);
    }
    return this.lines;
  }

  /** Path of file `index` of a unit's line table (for DW_AT_decl_file and DW_AT_call_file). */
  fileName(unit: Unit, index: number): string | undefined {
    return this.lineProgram(unit)?.files[index]?.path;
  }

  lineAt(pc: number): LineLocation | undefined {
    return this.lineTable.lookup(pc);
  }

  /**
   * Where to put a breakpoint for a source line: one location per function (or inlined copy)
   * the line has code in — its lowest is_stmt address — so a loop header stops once, not on
   * each of its parts. A line without code moves to the next line that has some, and a
   * function's opening line moves past the prologue (see `functionBreakpointAddress`); each
   * location says which line it ends up on.
   */
  breakpointLocations(file: string, line: number): { file: string; locations: BreakpointLocation[] } | undefined {
    const found = this.lineTable.lineAddresses(file, line);
    if (!found) return undefined;
    const firstByInstance = new Map<number, number>();
    for (const address of found.addresses) {
      const chain = this.scopeChain(address);
      const instance = chain.find((s) => s.kind !== 'block');
      const key = instance ? instance.die.offset : -address - 1;
      if (!firstByInstance.has(key)) firstByInstance.set(key, address);
    }
    const locations = new Map<number, BreakpointLocation>();
    for (const address of firstByInstance.values()) {
      const fn = this.functionAt(address);
      const moved = fn && fn.entryPc === address ? this.functionBreakpointAddress(fn) : address;
      const movedLine = moved === address ? found.line : this.lineAt(moved)?.line ?? found.line;
      locations.set(moved, { address: moved, line: movedLine });
    }
    return { file: found.file, locations: [...locations.values()].sort((a, b) => a.address - b.address) };
  }

  /**
   * Where a breakpoint on a function should go so that its parameters can be read. For gcc's
   * optimized code (a unit whose variables have location lists) that is the entry itself: gcc
   * describes every variable at every pc, and its prologue is interleaved with the body, so
   * gdb trusts it there and so do we. Otherwise it is past the prologue: the row the compiler
   * marked prologue_end (clang does), or the first is_stmt row after the entry in the function.
   */
  functionBreakpointAddress(fn: FunctionInfo): number {
    const entry = fn.entryPc;
    const around = this.lineTable.rowsAround(entry);
    const unit = fn.die.unit;
    if (!around || (unit.root.string(DW_AT.producer)?.startsWith('GNU ') && this.hasLocationLists(unit))) return entry;
    let afterEntry: number | undefined;
    for (const row of around.rows) {
      if (row.address < entry || !fn.contains(row.address)) continue;
      if (row.prologueEnd) return row.address;
      if (afterEntry === undefined && row.isStmt && row.address > entry) afterEntry = row.address;
    }
    return afterEntry ?? entry;
  }

  /** Whether any variable of the unit is described by a location list. */
  private hasLocationLists(unit: Unit): boolean {
    let has = this.locListUnits.get(unit);
    if (has === undefined) {
      has = false;
      for (const die of unit.dies()) {
        const kind = die.value(DW_AT.location)?.kind;
        if (kind === 'sectionOffset' || kind === 'loclistx') {
          has = true;
          break;
        }
      }
      this.locListUnits.set(unit, has);
    }
    return has;
  }

  // ---- functions and scopes ----

  /** Every function with code, sorted by entry address. */
  get functions(): readonly FunctionInfo[] {
    if (!this.fns) this.indexFunctions();
    return this.fns as FunctionInfo[];
  }

  private indexFunctions(): void {
    const fns: FunctionInfo[] = [];
    for (const unit of this.info.compileUnits) {
      this.guarded(`functions of unit 0x${unit.offset.toString(16)}`, () => {
        for (const die of unit.dies()) {
          if (die.tag !== DW_TAG.subprogram) continue;
          const ranges = this.guarded(`ranges of ${die}`, () => dieRanges(die));
          if (!ranges || ranges.length === 0) continue;
          const fn = this.guarded(`function ${die}`, () => new FunctionInfo(die, ranges, this));
          if (fn) fns.push(fn);
        }
      });
    }
    fns.sort((a, b) => a.entryPc - b.entryPc);
    this.fns = fns;
    this.fnRanges = fns.flatMap((fn) => fn.ranges.map((r) => ({ low: r.low, high: r.high, fn }))).sort((a, b) => a.low - b.low);
    let max = -Infinity;
    this.fnMaxHigh = this.fnRanges.map((r) => (max = Math.max(max, r.high)));
  }

  /** The out-of-line function containing `pc` (the innermost one for GNU C nested functions). */
  functionAt(pc: number): FunctionInfo | undefined {
    if (!this.fns) this.indexFunctions();
    const ranges = this.fnRanges;
    let lo = 0;
    let hi = ranges.length - 1;
    let last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ranges[mid].low <= pc) {
        last = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    let best: { low: number; high: number; fn: FunctionInfo } | undefined;
    for (let i = last; i >= 0 && this.fnMaxHigh[i] > pc; i--) {
      const r = ranges[i];
      if (r.low <= pc && pc < r.high && (!best || r.high - r.low < best.high - best.low)) best = r;
    }
    return best?.fn;
  }

  functionsNamed(name: string): FunctionInfo[] {
    return this.functions.filter((f) => f.name === name || f.linkageName === name);
  }

  /**
   * Where a breakpoint on function `name` goes: past the prologue of each out-of-line copy,
   * and at the entry of each place it was inlined, ascending.
   */
  functionBreakpoints(name: string): number[] {
    const addresses = new Set(this.functionsNamed(name).map((fn) => this.functionBreakpointAddress(fn)));
    for (const fn of this.functions) {
      const stack: Scope[] = [...fn.children];
      while (stack.length > 0) {
        const scope = stack.pop() as Scope;
        if (scope instanceof InlinedCall && scope.name === name) addresses.add(scope.entryPc);
        stack.push(...scope.children);
      }
    }
    return [...addresses].sort((a, b) => a - b);
  }

  /** The scopes containing `pc`, innermost first, ending with the function. */
  scopeChain(pc: number): Scope[] {
    const fn = this.functionAt(pc);
    if (!fn) return [];
    const chain: Scope[] = [];
    for (let s: Scope | undefined = fn.innermostAt(pc); s; s = s.parent) chain.push(s);
    return chain;
  }

  /**
   * The source-level frames at `pc`, innermost first: the inlined calls `pc` is inside, then
   * the function. The innermost gets the line table's location; each outer one the location
   * of the inlined call it made.
   */
  inlineFrames(pc: number): InlineFrame[] {
    const out: InlineFrame[] = [];
    const here = this.lineAt(pc);
    let file = here?.file;
    let line = here?.line;
    let column = here?.column;
    let variables: Variable[] = [];
    let seen = new Set<string>();
    for (const scope of this.scopeChain(pc)) {
      for (const v of scope.variables) {
        if (v.name !== '' && seen.has(v.name)) continue;
        seen.add(v.name);
        variables.push(v);
      }
      if (!(scope instanceof FunctionInfo || scope instanceof InlinedCall)) continue;
      out.push({ scope, name: scope.name, file, line, column, variables });
      // The function an inlined call sits in sees its own variables, not the callee's.
      variables = [];
      seen = new Set();
      if (scope instanceof InlinedCall) {
        file = scope.callFile;
        line = scope.callLine;
        column = scope.callColumn;
      }
    }
    return out;
  }

  /** The variables visible at `pc` in its innermost (possibly inlined) function. */
  visibleVariables(pc: number): readonly Variable[] {
    return this.inlineFrames(pc)[0]?.variables ?? [];
  }

  /** File-scope variables with storage or a constant value, from every unit. */
  get globals(): readonly Variable[] {
    if (!this.globalVars) {
      const vars: Variable[] = [];
      for (const unit of this.info.compileUnits) {
        this.guarded(`globals of unit 0x${unit.offset.toString(16)}`, () => {
          for (const die of unit.root.children) {
            if (die.tag === DW_TAG.variable && !die.flag(DW_AT.declaration) && (die.has(DW_AT.location) || die.has(DW_AT.const_value))) {
              vars.push(new Variable(die, this));
            }
          }
        });
      }
      this.globalVars = vars;
    }
    return this.globalVars;
  }

  // ---- locations ----

  /**
   * Where `v` is in `frames[index]`. `frames` is the physical call stack, innermost first (from
   * `backtrace`); the caller frames let entry values (DW_OP_entry_value) be recovered from the
   * call site, when the compiler described one.
   */
  locate(v: Variable, frames: readonly Frame[], index: number, memory: MemoryReader): Location {
    const frame = frames[index];
    if (v.constValue) return constantLocation(v.constValue);
    const expr = expressionAt(v.location, lookupPc(frame));
    if (!expr) return { kind: 'unavailable', reason: 'optimized out' };
    return evaluateLocation(expr, this.frameContext(frames, index, memory, v.die.unit, 0));
  }

  /** The canonical frame address of a frame by the CFI; undefined without an FDE. */
  cfa(frame: Frame, memory: MemoryReader): bigint | undefined {
    const found = this.cfi.rowAt(lookupPc(frame));
    return found ? computeCfa(found.row.cfa, frame.regs, memory) : undefined;
  }

  /** The value of the frame's function's DW_AT_frame_base. */
  frameBase(frames: readonly Frame[], index: number, memory: MemoryReader): bigint | undefined {
    const pc = lookupPc(frames[index]);
    const fn = this.functionAt(pc);
    const expr = fn ? expressionAt(fn.frameBase, pc) : undefined;
    if (!fn || !expr) return undefined;
    const ctx = this.frameContext(frames, index, memory, fn.die.unit, 0);
    return evaluateValue(expr, { ...ctx, frameBase: undefined });
  }

  private frameContext(frames: readonly Frame[], index: number, memory: MemoryReader, unit: Unit, depth: number): EvalContext {
    const frame = frames[index];
    return {
      unit,
      readRegister: (r) => frame.regs[r],
      readMemory: memory,
      callFrameCfa: () => this.cfa(frame, memory),
      frameBase: () => this.frameBase(frames, index, memory),
      entryValue: (expr) => this.entryValue(expr, frames, index, memory, depth),
    };
  }

  /**
   * The value a register had when the function of `frames[index]` was entered. It comes from
   * the caller's call site (DW_TAG_call_site) whose return address is the caller frame's pc:
   * the parameter passed in that register, evaluated in the caller's frame. When that call
   * went to another function that tail-called ours (no frame of its own is left), the value is
   * followed through the tail-call sites, as long as exactly one such path leads here.
   */
  private entryValue(expr: Uint8Array, frames: readonly Frame[], index: number, memory: MemoryReader, depth: number): bigint | undefined {
    const caller = frames[index + 1];
    if (!caller || depth >= MAX_ENTRY_VALUE_DEPTH) return undefined;
    const reg = singleRegister(expr);
    const callee = this.functionAt(lookupPc(frames[index]));
    const callerFn = this.functionAt(lookupPc(caller));
    const site = callerFn?.callSites.find((s) => s.returnPc === caller.pc);
    if (reg === undefined || !callee || !callerFn || !site) return undefined;
    const callerCtx = this.frameContext(frames, index + 1, memory, callerFn.die.unit, depth + 1);
    let target = site.target ? this.functionOf(site.target) : undefined;
    if (!target && site.targetExpr) {
      const address = evaluateValue(site.targetExpr, callerCtx);
      target = address === undefined || address > BigInt(Number.MAX_SAFE_INTEGER) ? undefined : this.functionAt(Number(address));
    }
    if (!target) return undefined;
    const path = this.tailCallPath(target, callee, MAX_TAIL_CALLS);
    return path ? this.argumentValue(reg, [site, ...path], path.length, callerCtx, memory) : undefined;
  }

  /** The function a call site's DW_AT_call_origin names: its definition, found by name for a declaration. */
  private functionOf(die: Die): FunctionInfo | undefined {
    const chain = originChain(die);
    const direct = this.functions.find((f) => chain.includes(f.die) || originChain(f.die).includes(die));
    if (direct || !die.flag(DW_AT.declaration) || !die.name) return direct;
    const named = this.functions.filter((f) => f.external && f.name === die.name);
    return named.length === 1 ? named[0] : undefined;
  }

  /** The tail-call sites leading from `from` to `to` (none when they are the same), if exactly one path does. */
  private tailCallPath(from: FunctionInfo, to: FunctionInfo, hops: number): CallSite[] | undefined {
    if (from === to) return [];
    if (hops === 0) return undefined;
    let found: CallSite[] | undefined;
    for (const site of from.callSites) {
      const next = site.tailCall && site.target ? this.functionOf(site.target) : undefined;
      const rest = next ? this.tailCallPath(next, to, hops - 1) : undefined;
      if (!rest) continue;
      if (found) return undefined; // ambiguous: the value could have come either way
      found = [site, ...rest];
    }
    return found;
  }

  /**
   * The value of the argument passed in `reg` at `sites[i]`. Site 0 is in the caller's frame;
   * the others are tail calls, evaluated in a frame that no longer exists, where only memory
   * and the entry values (from the previous site) can be known.
   */
  private argumentValue(reg: number, sites: readonly CallSite[], i: number, callerCtx: EvalContext, memory: MemoryReader): bigint | undefined {
    const param = sites[i].parameters.find((p) => p.location && p.value && singleRegister(p.location) === reg);
    if (!param?.value) return undefined;
    const ctx: EvalContext = i === 0 ? callerCtx : {
      unit: sites[i].die.unit,
      readRegister: () => undefined,
      readMemory: memory,
      entryValue: (e) => {
        const r = singleRegister(e);
        return r === undefined ? undefined : this.argumentValue(r, sites, i - 1, callerCtx, memory);
      },
    };
    return evaluateValue(param.value, ctx);
  }

  // ---- unwinding ----

  /** `.debug_frame` and `.eh_frame`; a section that cannot be parsed is left out with a warning. */
  get cfi(): CallFrameInfo {
    if (!this.frames) {
      const { frame, ehFrame } = this.sections;
      this.frames = new CallFrameInfo({ frame, ehFrame }, this.addresses, (message) => this.warnings.push(message));
    }
    return this.frames;
  }

  /** The caller of `frame` (see `unwindStep`). */
  unwind(frame: Frame, memory: MemoryReader): UnwoundFrame | undefined {
    return unwindStep(this.cfi, frame, memory);
  }

  /** The physical call stack from `frame` outwards, innermost first. */
  backtrace(frame: Frame, memory: MemoryReader, limit = MAX_FRAMES): Frame[] {
    const frames: Frame[] = [frame];
    while (frames.length < limit) {
      const inner = frames[frames.length - 1];
      const caller = this.guarded(`unwinding from 0x${inner.pc.toString(16)}`, () => this.unwind(inner, memory));
      if (!caller) break;
      frames.push(caller);
    }
    return frames;
  }
}

/** The register of an expression that is exactly `DW_OP_regN` or `DW_OP_regx N`. */
function singleRegister(expr: Uint8Array): number | undefined {
  const ops = decodeExpression(expr);
  if (ops.length !== 1) return undefined;
  const { code } = ops[0];
  if (code >= DW_OP.reg0 && code <= DW_OP.reg31) return code - DW_OP.reg0;
  if (code === DW_OP.regx) return Number(ops[0].operands[0]);
  return undefined;
}

/** A DW_AT_const_value as a location: its value or bytes, with no storage behind it. */
function constantLocation(v: NonNullable<Variable['constValue']>): Location {
  switch (v.kind) {
    case 'constant': return { kind: 'value', value: BigInt.asUintN(64, BigInt(v.value)) };
    case 'block': return { kind: 'implicit', bytes: v.bytes };
    case 'string': return { kind: 'implicit', bytes: new TextEncoder().encode(`${v.value}\0`) };
    default: return { kind: 'unavailable', reason: `constant of kind ${v.kind}` };
  }
}
