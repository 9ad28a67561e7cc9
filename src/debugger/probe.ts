/**
 * The debugger's side of the kernel's entry hook (kernel/kfunc.ts `set_kernel_probe`).
 *
 * Several things want to stop the machine when a kernel function is entered: kernel
 * breakpoints, stepping in the kernel, "stop when this task is about to return to user mode",
 * an exception filter that fired. Each registers a named rule; the hook is installed only while
 * at least one rule exists, so a session without any costs the kernel nothing.
 */
import { set_kernel_probe, type KernelProbe, type KernelStop, type KFrame } from '../kernel/kfunc';
import type { Task } from '../kernel/task';

/** Returns true to stop the machine at this entry. */
export type ProbeRule = (task: Task, frame: KFrame) => boolean;

export interface ProbeHit {
  readonly rule: string;
  readonly task: Task;
  readonly frame: KFrame;
}

const STOP: KernelStop = { kind: 'stop', reason: 'debugger' };

export class ProbeHub implements KernelProbe {
  private readonly rules = new Map<string, ProbeRule>();
  /** The rule that stopped the machine last, until taken. */
  private hit: ProbeHit | null = null;

  set(name: string, rule: ProbeRule): void {
    this.rules.set(name, rule);
    set_kernel_probe(this);
  }

  clear(name: string): void {
    this.rules.delete(name);
    if (this.rules.size === 0) set_kernel_probe(null);
  }

  has(name: string): boolean {
    return this.rules.has(name);
  }

  /** The installed hook, for code that must suspend it briefly (kernel/debug_access.ts). */
  get installed(): KernelProbe | null {
    return this.rules.size === 0 ? null : this;
  }

  onEnter(task: Task, frame: KFrame): KernelStop | null {
    for (const [rule, fn] of this.rules) {
      if (fn(task, frame)) {
        this.hit = { rule, task, frame };
        return STOP;
      }
    }
    return null;
  }

  /** The rule that stopped the machine, left in place. */
  peek(): ProbeHit | null {
    return this.hit;
  }

  take(): ProbeHit | null {
    const h = this.hit;
    this.hit = null;
    return h;
  }

  /** Removes every rule (the machine is booted again). */
  clearAll(): void {
    this.rules.clear();
    this.hit = null;
    set_kernel_probe(null);
  }

  /** Uninstalls the hook (the session ends). */
  dispose(): void {
    this.rules.clear();
    set_kernel_probe(null);
  }
}
