/**
 * The kernel's state as plain data (design.md: one schema for the webview, the debugger's
 * variables, `forkscope run --dump-state` and tests). Everything here is JSON-serialisable and
 * uses Linux's field names; pointers between tasks are given as pids.
 */
import type { Kernel } from './kernel';
import { stateLetter } from './kernel';
import type { mm_struct } from './mm/mm_types';
import { mm_snapshot, physmem_snapshot, shared_frames } from './mm/snapshot';
import { formatLogRecord } from './printk';
import { signame } from './signal_types';
import { PF_EXITING, PF_FORKNOEXEC, PF_IDLE, PF_KTHREAD, PF_NPROC_EXCEEDED, PF_RANDOMIZE, PF_SIGNALED, type Task } from './task';

const STATE_NAMES: [number, string][] = [
  [0x1, 'TASK_INTERRUPTIBLE'], [0x2, 'TASK_UNINTERRUPTIBLE'], [0x4, '__TASK_STOPPED'], [0x8, '__TASK_TRACED'],
  [0x40, 'TASK_PARKED'], [0x80, 'TASK_DEAD'], [0x100, 'TASK_WAKEKILL'], [0x200, 'TASK_WAKING'],
  [0x400, 'TASK_NOLOAD'], [0x800, 'TASK_NEW'], [0x2000, 'TASK_FREEZABLE'],
];
const PF_NAMES: [number, string][] = [
  [PF_IDLE, 'PF_IDLE'], [PF_EXITING, 'PF_EXITING'], [PF_FORKNOEXEC, 'PF_FORKNOEXEC'], [PF_SIGNALED, 'PF_SIGNALED'],
  [PF_NPROC_EXCEEDED, 'PF_NPROC_EXCEEDED'], [PF_KTHREAD, 'PF_KTHREAD'], [PF_RANDOMIZE, 'PF_RANDOMIZE'],
];

/** `TASK_KILLABLE`-style names for a __state value. */
export function decodeState(s: number): string {
  if (s === 0) return 'TASK_RUNNING';
  return STATE_NAMES.filter(([b]) => (s & b) !== 0).map(([, n]) => n).join('|');
}

export function decodePF(f: number): string {
  const names = PF_NAMES.filter(([b]) => (f & b) !== 0).map(([, n]) => n);
  return names.length === 0 ? '0' : names.join('|');
}

function sigsetNames(set: bigint): string[] {
  const out: string[] = [];
  for (let s = 1; s <= 64; s++) if ((set & (1n << BigInt(s - 1))) !== 0n) out.push(signame(s));
  return out;
}

/** One task_struct as data. */
export function task_snapshot(t: Task) {
  return {
    pid: t.pid,
    tgid: t.tgid,
    comm: t.comm,
    __state: t.__state,
    state: decodeState(t.__state),
    state_letter: stateLetter(t),
    exit_state: t.exit_state === 0x20 ? 'EXIT_ZOMBIE' : t.exit_state === 0x10 ? 'EXIT_DEAD' : 0,
    flags: decodePF(t.flags),
    real_parent: t.real_parent?.pid ?? null,
    parent: t.parent?.pid ?? null,
    children: t.children.map((c) => c.pid),
    group_leader: t.group_leader.pid,
    threads: t.signal?.thread_head.map((th) => th.pid) ?? [],
    mm: t.mm?.id ?? null,
    active_mm: t.active_mm?.id ?? null,
    prio: t.prio,
    static_prio: t.static_prio,
    normal_prio: t.normal_prio,
    policy: 'SCHED_NORMAL',
    se: { vruntime: t.se.vruntime, sum_exec_runtime: t.se.sum_exec_runtime },
    exit_code: t.exit_code,
    exit_signal: t.exit_signal,
    pdeath_signal: t.pdeath_signal,
    set_child_tid: t.set_child_tid,
    clear_child_tid: t.clear_child_tid,
    vfork_done: t.vfork_done !== null,
    blocked: sigsetNames(t.blocked),
    pending: sigsetNames(t.pending.signal),
    shared_pending: sigsetNames(t.signal?.shared_pending.signal ?? 0n),
    files: t.files === null ? null : { count: t.files.count },
    fs: t.fs === null ? null : { users: t.fs.users },
    cmdline: t.cmdline,
    pc: t.regs.pc,
    kernel_stack: [...t.kstack].reverse().map((f) => ({ function: f.fn, linux_file: f.linuxFile, source: f.file === null ? null : `${f.file}:${f.line}`, locals: f.locals ?? {} })),
  };
}

/** The whole machine as data (docs/kernel-state.md describes every field). */
export function snapshot(k: Kernel) {
  const mms = new Map<number, mm_struct>();
  for (const t of k.tasks) if (t.mm !== null) mms.set(t.mm.id, t.mm);
  return {
    schema: 'forkscope.kernel/1',
    time_ns: k.ktime_get_ns(),
    instructions: k.hart.instret,
    current: k.rq.curr?.pid ?? null,
    runqueue: k.rq.queue.map((t) => t.pid),
    tasks: k.tasks.map(task_snapshot),
    mms: [...mms.values()].map(mm_snapshot),
    shared_frames: shared_frames([...mms.values()]),
    physmem: physmem_snapshot(),
    dmesg: k.log.map(formatLogRecord),
  };
}

