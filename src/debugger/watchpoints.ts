/**
 * Data watchpoints. RISC-V user mode has no debug registers here, so a watchpoint is checked in
 * software: while any is set, the debugger runs the machine one instruction at a time and, before
 * each instruction of a task whose address space is watched, decodes it and compares the memory
 * it will touch with the watched ranges. Nothing of this runs while no watchpoint is set.
 *
 * A watchpoint belongs to the address space it was set in and to every address space forked
 * from it afterwards: after fork the child's copy of a global is the "same" variable until one
 * of them writes it (copy-on-write then gives the writer its own frame), and a student watching
 * `global` wants to see the child's write. An exec gives the task a new address space, which
 * is not watched.
 *
 * The kernel's own accesses to user memory (read() filling a watched buffer, a system call
 * storing its result through a pointer) do not run as user instructions: the set hooks the
 * kernel's user-memory copy (kernel/mm/uaccess.ts) while any watchpoint exists, and such a hit
 * stops the machine inside the kernel path that made the access.
 */
import { peek_user } from '../kernel/debug_access';
import { current, kernel } from '../kernel/kfunc';
import type { mm_struct } from '../kernel/mm/mm_types';
import { set_uaccess_watch, type UaccessWatch } from '../kernel/mm/uaccess';
import type { Task } from '../kernel/task';

export type AccessType = 'read' | 'write' | 'readWrite';

export interface Watchpoint {
  readonly id: number;
  readonly address: number;
  readonly size: number;
  readonly access: AccessType;
  readonly description: string;
  readonly condition?: string;
  readonly hitCondition?: string;
  /**
   * The address spaces it watches, by mm id: ids are given in creation order, so they name the
   * same address spaces when the debugger replays the run (reverse execution).
   */
  readonly mms: Set<number>;
  hits: number;
}

export interface WatchHit {
  readonly watchpoint: Watchpoint;
  readonly task: Task;
  readonly pc: number;
  readonly write: boolean;
  /** The watched bytes before the access (to show old → new). */
  readonly before: Uint8Array | null;
  /** Made by the kernel on the task's behalf (a system call), not by a user instruction. */
  readonly inKernel: boolean;
}

export class WatchSet implements UaccessWatch {
  private list: Watchpoint[] = [];
  /** The kernel access that stopped the machine, until taken. */
  private kernelHit: WatchHit | null = null;

  get active(): boolean {
    return this.list.length > 0;
  }

  get all(): readonly Watchpoint[] {
    return this.list;
  }

  replace(list: Watchpoint[]): void {
    this.list = list;
    set_uaccess_watch(list.length > 0 ? this : null);
  }

  /** Uninstalls the kernel hook (the session ends). */
  dispose(): void {
    this.replace([]);
  }

  /** The kernel-side check (UaccessWatch): runs inside the kernel, for the current task. */
  access(mm: mm_struct, addr: number, len: number, write: boolean): boolean {
    const w = this.matching(mm, addr, len, !write, write)[0];
    if (w === undefined) return false;
    const t = current();
    this.kernelHit = { watchpoint: w, task: t, pc: t.regs.pc, write, before: peek_user(kernel(), mm, w.address, w.size), inKernel: true };
    return true;
  }

  takeKernelHit(): WatchHit | null {
    const h = this.kernelHit;
    this.kernelHit = null;
    return h;
  }

  watches(mm: mm_struct): boolean {
    for (const w of this.list) if (w.mms.has(mm.id)) return true;
    return false;
  }

  /** fork without CLONE_VM: the child's copy of the address space is watched as well. */
  forked(parent: mm_struct, child: mm_struct): void {
    for (const w of this.list) if (w.mms.has(parent.id)) w.mms.add(child.id);
  }

  /** The watchpoints an access of `size` bytes at `address` in `mm` triggers. */
  matching(mm: mm_struct, address: number, size: number, read: boolean, write: boolean): Watchpoint[] {
    return this.list.filter((w) => w.mms.has(mm.id) && address < w.address + w.size && w.address < address + size
      && ((write && w.access !== 'read') || (read && w.access !== 'write')));
  }
}
