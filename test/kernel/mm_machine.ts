/**
 * A small machine for memory-manager tests: a Kernel with a few MiB of frames, one fake current
 * task with an empty mm (as exec leaves it, before any mapping), and in front of the hart a TLB
 * recorder that also drives a user-mode MMU of the CPU's own kind (cpu/mmu.ts: page walk, TLBs,
 * A/D updates), so that a missing TLB shoot-down shows as a wrong access. Helpers run kernel
 * generators to the end and touch memory as the CPU does, taking the page-fault path on a miss.
 */
import assert from 'node:assert/strict';
import { Mmu as CpuMmu } from '../../src/cpu/mmu';
import { Kernel, type Mmu } from '../../src/kernel/kernel';
import { set_current, set_kernel, type KGen } from '../../src/kernel/kfunc';
import { handle_page_fault, type fault_signal } from '../../src/kernel/mm/fault';
import { mm_alloc } from '../../src/kernel/mm/fork';
import { arch_pick_mmap_layout, TASK_SIZE } from '../../src/kernel/mm/mmap';
import type { mm_struct } from '../../src/kernel/mm/mm_types';
import { RLIM_NLIMITS, RLIMIT_STACK, signal_struct } from '../../src/kernel/signal_types';
import { Task } from '../../src/kernel/task';
import type { TraceEvent } from '../../src/kernel/trace';

export const PAGE = 4096;

/** Records TLB flushes and passes them on to the hart and to the test's MMU. */
export class FlushRecorder implements Mmu {
  pages: number[] = [];
  all = 0;
  constructor(private readonly inner: Mmu, readonly cpu: CpuMmu) {}
  setRootTable(pfn: number): void {
    this.inner.setRootTable(pfn);
    this.cpu.root = pfn;
    this.cpu.flush();
  }
  flushTlb(): void {
    this.all++;
    this.inner.flushTlb();
    this.cpu.flush();
  }
  flushTlbPage(vpn: number): void {
    this.pages.push(vpn);
    this.inner.flushTlbPage(vpn);
    this.cpu.flushPage(vpn);
  }
  reset(): void {
    this.pages = [];
    this.all = 0;
  }
}

export interface TestMachine {
  k: Kernel;
  t: Task;
  mm: mm_struct;
  tlb: FlushRecorder;
  events: TraceEvent[];
}

/** A task of its own process, with Linux's default limits (8 MiB stack, the rest unlimited). */
export function makeTask(pid: number): Task {
  const t = new Task();
  t.pid = t.tgid = pid;
  t.comm = `t${pid}`;
  t.signal = new signal_struct();
  t.signal.thread_head.push(t);
  for (let i = 0; i < RLIM_NLIMITS; i++) t.signal.rlim.push({ rlim_cur: Infinity, rlim_max: Infinity });
  t.signal.rlim[RLIMIT_STACK] = { rlim_cur: 8 * 1024 * 1024, rlim_max: Infinity };
  return t;
}

export function machine(memBytes = 8 * 1024 * 1024): TestMachine {
  const k = new Kernel({ memBytes, seed: 1, root: '/nonexistent' } as ConstructorParameters<typeof Kernel>[0]);
  set_kernel(k);
  const tlb = new FlushRecorder(k.mmu, new CpuMmu(k.mem));
  (k as { mmu: Mmu }).mmu = tlb;
  const events: TraceEvent[] = [];
  k.traceEnabled.add('mm');
  k.traceEnabled.add('oom');
  k.traceSinks.push((e) => events.push(e));
  const t = makeTask(100);
  k.tasks.push(t);
  set_current(t);
  const mm = mm_alloc()!;
  t.mm = t.active_mm = mm;
  mm.task_size = TASK_SIZE;
  arch_pick_mmap_layout(mm, 8 * 1024 * 1024);
  k.mmu.setRootTable(mm.pgd);
  return { k, t, mm, tlb, events };
}

/** Runs a kernel generator to completion (mm code never sleeps in these tests). */
export function run<T>(g: KGen<T>): T {
  for (;;) {
    const r = g.next();
    if (r.done === true) return r.value;
    throw new Error(`kernel code yielded ${JSON.stringify(r.value)} in a test`);
  }
}

/**
 * A user-mode access of one byte, as the CPU makes it: through the test's MMU (which must have
 * the mm loaded — `k.mmu.setRootTable`), taking the riscv page-fault path on a miss. Returns the byte read (or
 * written), or the signal the fault turned into.
 */
export function user(k: Kernel, addr: number, write: boolean, value = 0): number | fault_signal {
  const mmu = (k.mmu as FlushRecorder).cpu;
  const lo = addr % 2 ** 32, hi = Math.floor(addr / 2 ** 32);
  for (let tries = 0; tries < 4; tries++) {
    const ok = write ? mmu.store(lo | 0, hi, 1, value, 0) : mmu.load(lo | 0, hi, 1);
    if (ok) return write ? value : mmu.lo & 0xff;
    const sig = run(handle_page_fault(write ? 15 : 13, BigInt(addr)));
    if (sig !== null) return sig;
  }
  throw new Error(`access at 0x${addr.toString(16)} kept faulting`);
}

/** The same for an instruction fetch (scause 12). */
export function fetch(k: Kernel, addr: number): number | fault_signal {
  const vpn = Math.floor(addr / PAGE);
  for (let tries = 0; tries < 4; tries++) {
    if ((k.mmu as FlushRecorder).cpu.fetchFrame(vpn) >= 0) return 0;
    const sig = run(handle_page_fault(12, BigInt(addr)));
    if (sig !== null) return sig;
  }
  throw new Error('fetch kept faulting');
}

export function writeByte(k: Kernel, addr: number, value: number): void {
  const r = user(k, addr, true, value);
  assert.equal(typeof r, 'number', `store at 0x${addr.toString(16)} faulted: ${JSON.stringify(r, (_k, v) => typeof v === 'bigint' ? v.toString(16) : v)}`);
}

export function readByte(k: Kernel, addr: number): number {
  const r = user(k, addr, false);
  assert.equal(typeof r, 'number', `load at 0x${addr.toString(16)} faulted`);
  return r as number;
}

/** The VMAs of [base, base+len) as "offset-offset perms" lines, offsets in pages from base. */
export function layout(mm: mm_struct, base: number, len: number): string[] {
  return mm.mmap.filter((v) => v.vm_end > base && v.vm_start < base + len).map((v) => {
    const f = v.vm_flags;
    const perms = (f & 1 ? 'r' : '-') + (f & 2 ? 'w' : '-') + (f & 4 ? 'x' : '-') + (f & 0x80 ? 's' : 'p');
    return `${(v.vm_start - base) / PAGE}-${(v.vm_end - base) / PAGE} ${perms}`;
  });
}
