/**
 * The breakpoint table: user breakpoints at addresses (from source lines, function names or
 * instruction addresses) and kernel breakpoints on kernel functions by their Linux names.
 *
 * User breakpoints are virtual addresses of one image (a program or library): the hart is told
 * the addresses (cpu/hart.ts `setBreakpoints`; unhit ones cost nothing), and a hit counts only in
 * a task whose address space maps that image there — after an exec the same address may be
 * another program's code.
 */
import type { BreakpointHook } from '../cpu/hart';
import type { Image } from './images';

export type BreakpointKind = 'source' | 'function' | 'instruction' | 'kernel';

export interface BreakpointOptions {
  readonly condition?: string;
  readonly hitCondition?: string;
  readonly logMessage?: string;
}

export interface Breakpoint {
  readonly id: number;
  kind: BreakpointKind;
  readonly options: BreakpointOptions;
  verified: boolean;
  /** Why it is not verified, or where it went (shown by the editor). */
  message?: string;
  /** User breakpoints: run-time addresses (one per function instance of a line). */
  addresses: number[];
  /** The image the addresses belong to (null for instruction breakpoints: any image). */
  image: Image | null;
  /** Source breakpoints: the host file and the line asked for, and the line used. */
  readonly file?: string;
  readonly requestedLine?: number;
  line?: number;
  /** Function breakpoints: the name given. */
  readonly name?: string;
  hits: number;
}

/** `hitCondition`: "N" or ">= N" (from the Nth hit on), "== N", "> N", "% N" (every Nth). */
export function hitConditionMet(cond: string | undefined, hits: number): boolean {
  if (cond === undefined || cond.trim() === '') return true;
  const m = /^\s*(==|>=|>|<=|<|%)?\s*(\d+)\s*$/.exec(cond);
  if (m === null) throw new Error(`hit condition '${cond}' is not a count: write N, >= N, == N or % N`);
  const n = Number(m[2]);
  switch (m[1]) {
    case '==': return hits === n;
    case '>': return hits > n;
    case '<': return hits < n;
    case '<=': return hits <= n;
    case '%': return n > 0 && hits % n === 0;
    default: return hits >= n;
  }
}

export class BreakpointTable implements BreakpointHook {
  private nextId = 1;
  /** Source breakpoints by host file. */
  private readonly sources = new Map<string, Breakpoint[]>();
  private functions: Breakpoint[] = [];
  private instructions: Breakpoint[] = [];
  /** Every user breakpoint by address (rebuilt on change). */
  private byAddress = new Map<number, Breakpoint[]>();
  /** Kernel breakpoints by function name. */
  private byKernelName = new Map<string, Breakpoint[]>();
  /** Addresses the stepper needs to stop at for a while (not user breakpoints). */
  readonly temporary = new Set<number>();

  create(kind: BreakpointKind, options: BreakpointOptions, init: Partial<Breakpoint> = {}): Breakpoint {
    return { id: this.nextId++, kind, options, verified: false, addresses: [], image: null, hits: 0, ...init };
  }

  replaceSource(file: string, bps: Breakpoint[]): void {
    if (bps.length === 0) this.sources.delete(file);
    else this.sources.set(file, bps);
    this.reindex();
  }

  replaceFunctions(bps: Breakpoint[]): void {
    this.functions = bps;
    this.reindex();
  }

  replaceInstructions(bps: Breakpoint[]): void {
    this.instructions = bps;
    this.reindex();
  }

  /** Every breakpoint, for re-resolving when a new image appears. */
  get all(): Breakpoint[] {
    return [...[...this.sources.values()].flat(), ...this.functions, ...this.instructions];
  }

  reindex(): void {
    this.byAddress = new Map();
    this.byKernelName = new Map();
    for (const bp of this.all) {
      if (!bp.verified) continue;
      if (bp.kind === 'kernel') push(this.byKernelName, bp.name as string, bp);
      else for (const a of bp.addresses) push(this.byAddress, a, bp);
    }
  }

  has(pc: number): boolean {
    return this.byAddress.has(pc) || this.temporary.has(pc);
  }

  atAddress(pc: number): readonly Breakpoint[] {
    return this.byAddress.get(pc) ?? [];
  }

  onKernelFunction(name: string): readonly Breakpoint[] {
    return this.byKernelName.get(name) ?? [];
  }

  get hasKernelBreakpoints(): boolean {
    return this.byKernelName.size > 0;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else list.push(v);
}
