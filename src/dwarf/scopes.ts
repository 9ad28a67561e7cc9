import { DW_AT, DW_TAG } from './constants';
import type { AttrValue, Die } from './die';
import { DwarfError } from './error';
import { dieRanges, readLocationList } from './ranges';
import type { AddressRange, LocationList } from './ranges';
import type { Type, TypeReader } from './types';
import type { Unit } from './unit';

/** Where a variable lives over its lifetime, before evaluation at a particular pc. */
export type LocationDescription =
  | { readonly kind: 'expr'; readonly expr: Uint8Array }
  | { readonly kind: 'list'; readonly list: LocationList }
  /** No DW_AT_location: optimized out everywhere (unless it has a constant value). */
  | { readonly kind: 'none' };

/** What building scopes needs from the rest of the reader. */
export interface ScopeEnv {
  readonly types: TypeReader;
  /** The path of file `index` of the unit's line table (DW_AT_decl_file, DW_AT_call_file). */
  fileName(unit: Unit, index: number): string | undefined;
}

/** Hops allowed along DW_AT_abstract_origin / DW_AT_specification before we call it a cycle. */
const MAX_ORIGIN_HOPS = 8;

/**
 * The DIE itself followed by the DIEs it inherits attributes from: a concrete inlined
 * instance takes its name and type from its abstract origin, an out-of-line definition from
 * its declaration.
 */
export function originChain(die: Die): Die[] {
  const chain = [die];
  let d = die;
  for (let i = 0; i < MAX_ORIGIN_HOPS; i++) {
    const next = d.ref(DW_AT.abstract_origin) ?? d.ref(DW_AT.specification);
    if (!next || chain.includes(next)) return chain;
    chain.push(next);
    d = next;
  }
  throw new DwarfError(`DW_AT_abstract_origin chain from 0x${die.offset.toString(16)} is too long`);
}

/** The first value of `name` along the origin chain. */
function inherited(die: Die, name: number): { die: Die; value: AttrValue } | undefined {
  for (const d of originChain(die)) {
    const value = d.value(name);
    if (value) return { die: d, value };
  }
  return undefined;
}

function inheritedString(die: Die, name: number): string | undefined {
  const v = inherited(die, name);
  return v?.value.kind === 'string' ? v.value.value : undefined;
}

function inheritedUint(die: Die, name: number): number | undefined {
  const v = inherited(die, name);
  return v ? v.die.uint(name) : undefined;
}

function declFile(env: ScopeEnv, die: Die): string | undefined {
  const v = inherited(die, DW_AT.decl_file);
  const index = v?.die.uint(DW_AT.decl_file);
  return v && index !== undefined ? env.fileName(v.die.unit, index) : undefined;
}

/** DW_AT_entry_pc: an address, or (DWARF 5) an offset from the scope's lowest address. */
function entryPcOf(die: Die, lowPc: number): number | undefined {
  const v = die.value(DW_AT.entry_pc);
  if (v?.kind === 'address') return v.value;
  if (v?.kind === 'constant' && typeof v.value === 'number') return lowPc + v.value;
  return undefined;
}

/** A parameter or local variable. */
export class Variable {
  readonly name: string;
  readonly isParameter: boolean;
  /** DW_AT_const_value: the variable was folded to a constant (no storage). */
  readonly constValue?: AttrValue;
  readonly artificial: boolean;
  readonly declFile?: string;
  readonly declLine?: number;
  private typeCache: Type | undefined;
  private locationCache: LocationDescription | undefined;

  constructor(readonly die: Die, private readonly env: ScopeEnv) {
    this.name = inheritedString(die, DW_AT.name) ?? '';
    this.isParameter = die.tag === DW_TAG.formal_parameter;
    this.constValue = die.value(DW_AT.const_value);
    this.artificial = die.flag(DW_AT.artificial);
    this.declFile = declFile(env, die);
    this.declLine = inheritedUint(die, DW_AT.decl_line);
  }

  // The type and the location are read on first use: listing a scope stays cheap, and a
  // malformed type or location list makes only this variable unreadable, not its scope.

  get type(): Type {
    if (!this.typeCache) {
      const typed = inherited(this.die, DW_AT.type);
      this.typeCache = this.env.types.typeOf(typed ? typed.die : this.die);
    }
    return this.typeCache;
  }

  /** Where the variable lives over its lifetime. */
  get location(): LocationDescription {
    this.locationCache ??= locationDescription(this.die.unit, this.die.value(DW_AT.location));
    return this.locationCache;
  }
}

/** A DW_AT_location (or DW_AT_frame_base) value as a description. */
export function locationDescription(unit: Unit, value: AttrValue | undefined): LocationDescription {
  if (!value) return { kind: 'none' };
  if (value.kind === 'exprloc') return { kind: 'expr', expr: value.bytes };
  if (value.kind === 'sectionOffset' || value.kind === 'loclistx') return { kind: 'list', list: readLocationList(unit, value) };
  throw new DwarfError(`a location attribute has an unusable form (${value.kind})`);
}

/** The expression in effect at `pc`, or undefined when the object has no location there. */
export function expressionAt(loc: LocationDescription, pc: number): Uint8Array | undefined {
  if (loc.kind === 'expr') return loc.expr;
  if (loc.kind === 'none') return undefined;
  for (const e of loc.list.entries) if (e.low <= pc && pc < e.high) return e.expr;
  return loc.list.defaultExpr;
}

/** A call from this function, with what gcc knows about the arguments (for entry values). */
export interface CallSite {
  readonly die: Die;
  /** The address the callee returns to. */
  readonly returnPc: number;
  readonly tailCall: boolean;
  /** DW_AT_call_origin: the callee's DIE (maybe only a declaration) when the call is direct. */
  readonly target?: Die;
  /** DW_AT_call_target: where an indirect call went, computed in the caller's frame. */
  readonly targetExpr?: Uint8Array;
  readonly parameters: readonly CallSiteParameter[];
}

export interface CallSiteParameter {
  /** Where the argument is passed (a register location, normally `DW_OP_regN`). */
  readonly location?: Uint8Array;
  /** How to compute the argument's value in the caller's frame at the call. */
  readonly value?: Uint8Array;
}

/**
 * A lexical scope with code: a function, an inlined call, or a block. Children and variables
 * are read from the DIEs on first use.
 */
export class Scope {
  private built: { children: Scope[]; variables: Variable[] } | undefined;

  constructor(
    readonly kind: 'function' | 'inlined' | 'block',
    readonly die: Die,
    readonly ranges: readonly AddressRange[],
    readonly parent: Scope | undefined,
    protected readonly env: ScopeEnv,
  ) {}

  contains(pc: number): boolean {
    for (const r of this.ranges) if (r.low <= pc && pc < r.high) return true;
    return false;
  }

  get lowPc(): number {
    return this.ranges.length > 0 ? Math.min(...this.ranges.map((r) => r.low)) : 0;
  }

  get children(): readonly Scope[] {
    return this.build().children;
  }

  /** Parameters and variables declared directly in this scope, in declaration order. */
  get variables(): readonly Variable[] {
    return this.build().variables;
  }

  private build(): { children: Scope[]; variables: Variable[] } {
    if (this.built) return this.built;
    const children: Scope[] = [];
    const variables: Variable[] = [];
    const seenOrigins = new Set<number>();
    // Walk the children in order; a block without code ranges is expanded in place (below).
    const pending: Die[] = [...this.die.children].reverse();
    while (pending.length > 0) {
      const child = pending.pop() as Die;
      switch (child.tag) {
        case DW_TAG.formal_parameter:
        case DW_TAG.variable: {
          // `extern int x;` inside a function refers to a global; it has no local storage.
          if (child.flag(DW_AT.declaration)) break;
          variables.push(new Variable(child, this.env));
          const origin = child.ref(DW_AT.abstract_origin);
          if (origin) seenOrigins.add(origin.offset);
          break;
        }
        case DW_TAG.lexical_block: {
          const ranges = dieRanges(child);
          // A block without code ranges (gcc emits some) does not open a scope at run time:
          // what it declares belongs to the enclosing one.
          if (ranges.length === 0) for (let i = child.children.length - 1; i >= 0; i--) pending.push(child.children[i]);
          else children.push(new Scope('block', child, ranges, this, this.env));
          break;
        }
        case DW_TAG.inlined_subroutine: {
          const ranges = dieRanges(child);
          if (ranges.length > 0) children.push(new InlinedCall(child, ranges, this, this.env));
          break;
        }
        default:
          break;
      }
    }
    // A concrete instance may omit what the compiler optimized away entirely; the abstract
    // origin still declares it, and a debugger should list it as optimized out.
    const origin = this.kind !== 'block' ? this.die.ref(DW_AT.abstract_origin) : undefined;
    if (origin) {
      for (const child of origin.children) {
        if ((child.tag === DW_TAG.formal_parameter || child.tag === DW_TAG.variable) && !seenOrigins.has(child.offset)) {
          variables.push(new Variable(child, this.env));
        }
      }
    }
    this.built = { children, variables };
    return this.built;
  }

  /** The innermost scope below (or equal to) this one that contains `pc`. */
  innermostAt(pc: number): Scope {
    let inner: Scope | undefined = this.children.find((c) => c.contains(pc));
    if (!inner) return this;
    for (;;) {
      const next: Scope | undefined = inner.children.find((c) => c.contains(pc));
      if (!next) return inner;
      inner = next;
    }
  }
}

/** A function with code (an out-of-line subprogram). */
export class FunctionInfo extends Scope {
  readonly name: string;
  readonly linkageName?: string;
  readonly external: boolean;
  readonly declFile?: string;
  readonly declLine?: number;
  private sites: CallSite[] | undefined;
  private frameBaseCache: LocationDescription | undefined;

  constructor(die: Die, ranges: readonly AddressRange[], env: ScopeEnv) {
    super('function', die, ranges, undefined, env);
    this.name = inheritedString(die, DW_AT.name) ?? `<function at 0x${this.lowPc.toString(16)}>`;
    this.linkageName = inheritedString(die, DW_AT.linkage_name) ?? inheritedString(die, DW_AT.MIPS_linkage_name);
    const external = inherited(die, DW_AT.external)?.value;
    this.external = external?.kind === 'flag' && external.value;
    this.declFile = declFile(env, die);
    this.declLine = inheritedUint(die, DW_AT.decl_line);
  }

  /** DW_AT_frame_base: what DW_OP_fbreg is relative to (read on first use, like locations). */
  get frameBase(): LocationDescription {
    this.frameBaseCache ??= locationDescription(this.die.unit, this.die.value(DW_AT.frame_base));
    return this.frameBaseCache;
  }

  /** The address execution enters at: DW_AT_entry_pc if present, else where the code starts. */
  get entryPc(): number {
    // With several ranges (a hot/cold split) the compiler lists the entry's range first.
    return entryPcOf(this.die, this.lowPc) ?? this.die.address(DW_AT.low_pc) ?? this.ranges[0]?.low ?? 0;
  }

  /** The C type of the function (from its abstract origin for a concrete instance). */
  get type(): Type {
    const chain = originChain(this.die);
    return this.env.types.functionType(chain[chain.length - 1]);
  }

  /** Every call site in the function, including those inside blocks and inlined calls. */
  get callSites(): readonly CallSite[] {
    if (this.sites) return this.sites;
    const sites: CallSite[] = [];
    const stack = [...this.die.children];
    while (stack.length > 0) {
      const die = stack.pop() as Die;
      if (die.tag === DW_TAG.call_site || die.tag === DW_TAG.GNU_call_site) {
        const site = callSite(die);
        if (site) sites.push(site);
      } else if (die.tag === DW_TAG.lexical_block || die.tag === DW_TAG.inlined_subroutine) {
        stack.push(...die.children);
      }
    }
    this.sites = sites.sort((a, b) => a.returnPc - b.returnPc);
    return this.sites;
  }
}

function callSite(die: Die): CallSite | undefined {
  // DWARF 5 names the return address; gcc's pre-5 extension put it in DW_AT_low_pc.
  const returnPc = die.address(DW_AT.call_return_pc) ?? die.address(DW_AT.low_pc);
  if (returnPc === undefined) return undefined;
  const parameters: CallSiteParameter[] = [];
  for (const child of die.children) {
    if (child.tag !== DW_TAG.call_site_parameter && child.tag !== DW_TAG.GNU_call_site_parameter) continue;
    const location = child.value(DW_AT.location);
    const value = child.value(DW_AT.call_value) ?? child.value(DW_AT.GNU_call_site_value);
    parameters.push({
      location: location?.kind === 'exprloc' ? location.bytes : undefined,
      value: value?.kind === 'exprloc' ? value.bytes : undefined,
    });
  }
  const targetExpr = die.value(DW_AT.call_target) ?? die.value(DW_AT.GNU_call_site_target);
  return {
    die,
    returnPc,
    tailCall: die.flag(DW_AT.call_tail_call) || die.flag(DW_AT.GNU_tail_call),
    target: die.ref(DW_AT.call_origin) ?? die.ref(DW_AT.abstract_origin),
    targetExpr: targetExpr?.kind === 'exprloc' ? targetExpr.bytes : undefined,
    parameters,
  };
}

/** An inlined call: the body of another function placed into this one. */
export class InlinedCall extends Scope {
  readonly name: string;
  /** Where the call was written, in the enclosing function. */
  readonly callFile?: string;
  readonly callLine?: number;
  readonly callColumn?: number;

  constructor(die: Die, ranges: readonly AddressRange[], parent: Scope, env: ScopeEnv) {
    super('inlined', die, ranges, parent, env);
    this.name = inheritedString(die, DW_AT.name) ?? '<inlined>';
    const file = die.uint(DW_AT.call_file);
    this.callFile = file === undefined ? undefined : env.fileName(die.unit, file);
    this.callLine = die.uint(DW_AT.call_line);
    this.callColumn = die.uint(DW_AT.call_column);
  }

  /**
   * The address execution enters the inlined body at: DW_AT_entry_pc when it lies inside the
   * body's ranges, else where the first range starts. gcc may point DW_AT_entry_pc at an empty
   * range (a location view before the first instruction), and stopping there would show the
   * caller, not the inlined function.
   */
  get entryPc(): number {
    const entry = entryPcOf(this.die, this.lowPc);
    return entry !== undefined && this.contains(entry) ? entry : this.ranges[0].low;
  }
}
