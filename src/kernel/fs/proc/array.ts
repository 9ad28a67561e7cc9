/**
 * /proc/<pid>/stat and /proc/<pid>/status (fs/proc/array.c), in Linux's exact formats, read from
 * the task, its signal_struct and its mm. Times are virtual (1 ns per instruction) shown in
 * USER_HZ ticks (100 per second). Forkscope's only user is root, so the ids are 0 and every
 * capability is held.
 */
import { stateLetter } from '../../kernel';
import { get_mm_rss } from '../../mm/rmap';
import { MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, MM_SWAPENTS, type mm_struct } from '../../mm/mm_types';
import { RLIMIT_RSS, RLIMIT_SIGPENDING, SIG_DFL, SIG_IGN, _NSIG, sigmask } from '../../signal_types';
import { PF_KTHREAD, TASK_RUNNING, type Task } from '../../task';

const PAGE_SHIFT = 12;
const MAX_RT_PRIO = 100;
const USER_HZ_NS = 10_000_000;

/** task_state_array: the letter and word /proc shows for each state. */
const STATE_NAMES: Record<string, string> = {
  R: 'R (running)', S: 'S (sleeping)', D: 'D (disk sleep)', T: 'T (stopped)', t: 't (tracing stop)',
  X: 'X (dead)', Z: 'Z (zombie)', P: 'P (parked)', I: 'I (idle)',
};

/** The task's name as the bytes /proc shows (comm is kept as a JS string). */
export function task_comm(t: Task): string {
  return Buffer.from(t.comm, 'utf8').toString('latin1');
}

/** nsec_to_clock_t. */
function ticks(ns: number): number {
  return Math.floor(ns / USER_HZ_NS);
}

/** An unsigned long as Linux prints it (RLIM_INFINITY is 2^64-1). */
function ulong(v: number): string {
  return v === Infinity ? '18446744073709551615' : String(v);
}

/** The threads of t's process, leader first. */
function thread_group(t: Task): Task[] {
  return t.signal?.thread_head ?? [t];
}

/** The ignored and caught signals (collect_sigign_sigcatch). */
function sigign_sigcatch(t: Task): [bigint, bigint] {
  let ign = 0n;
  let catch_ = 0n;
  t.sighand?.action.forEach((a, i) => {
    if (i + 1 > _NSIG) return;
    if (a.sa_handler === SIG_IGN) ign |= sigmask(i + 1);
    else if (a.sa_handler !== SIG_DFL) catch_ |= sigmask(i + 1);
  });
  return [ign, catch_];
}

/** do_task_stat: the one-line /proc/<pid>/stat (`whole`: the process, not one thread). */
export function do_task_stat(t: Task, whole: boolean): string {
  const sig = t.signal;
  const mm = t.mm;
  const threads = whole ? thread_group(t) : [t];
  const utime = threads.reduce((s, x) => s + x.utime, whole ? sig?.utime ?? 0 : 0);
  const stime = threads.reduce((s, x) => s + x.stime, whole ? sig?.stime ?? 0 : 0);
  const min_flt = threads.reduce((s, x) => s + x.min_flt, 0);
  const [ign, catch_] = sigign_sigcatch(t);
  const obsolete = (s: bigint): string => String(s & 0x7fffffffn);
  const m = (v: (mm: mm_struct) => number): number => (mm === null ? 0 : v(mm));
  const fields = [
    t.pid, `(${task_comm(t)})`, stateLetter(t), t.real_parent?.tgid ?? 0, sig?.pgrp ?? 0, sig?.session ?? 0,
    0, -1, t.flags, min_flt, 0, 0, 0, ticks(utime), ticks(stime), ticks(sig?.cutime ?? 0), ticks(sig?.cstime ?? 0),
    t.prio - MAX_RT_PRIO, t.static_prio - 120, sig?.nr_threads ?? 1, 0, ticks(t.start_time),
    m((x) => x.total_vm << PAGE_SHIFT), m(get_mm_rss), ulong(sig?.rlim[RLIMIT_RSS]?.rlim_cur ?? Infinity),
    m((x) => x.start_code), m((x) => x.end_code), m((x) => x.start_stack), 0, 0,
    obsolete(t.pending.signal), obsolete(t.blocked), obsolete(ign), obsolete(catch_),
    t.__state === TASK_RUNNING ? 0 : 1, 0, 0, t.exit_signal, 0, 0, t.policy, 0, 0, 0,
    m((x) => x.start_data), m((x) => x.end_data), m((x) => x.start_brk), m((x) => x.arg_start),
    m((x) => x.arg_end), m((x) => x.env_start), m((x) => x.env_end), t.exit_code,
  ];
  return fields.join(' ') + '\n';
}

function hex64(v: bigint): string {
  return v.toString(16).padStart(16, '0');
}

function kb(pages: number): string {
  return String(pages << (PAGE_SHIFT - 10)).padStart(8) + ' kB';
}

/** task_mem: the Vm* lines. */
function task_mem(mm: mm_struct): string[] {
  const anon = mm.rss_stat[MM_ANONPAGES];
  const file = mm.rss_stat[MM_FILEPAGES];
  const shmem = mm.rss_stat[MM_SHMEMPAGES];
  const rss = anon + file + shmem;
  const pageAlign = (a: number): number => Math.ceil(a / 4096) * 4096;
  const text = Math.min(pageAlign(mm.end_code) - (mm.start_code - (mm.start_code % 4096)), mm.exec_vm << PAGE_SHIFT);
  const lib = (mm.exec_vm << PAGE_SHIFT) - text;
  const kbBytes = (bytes: number): string => String(Math.floor(bytes / 1024)).padStart(8) + ' kB';
  return [
    `VmPeak:\t${kb(Math.max(mm.hiwater_vm, mm.total_vm))}`,
    `VmSize:\t${kb(mm.total_vm)}`,
    `VmLck:\t${kb(mm.locked_vm)}`,
    `VmPin:\t${kb(mm.pinned_vm)}`,
    `VmHWM:\t${kb(Math.max(mm.hiwater_rss, rss))}`,
    `VmRSS:\t${kb(rss)}`,
    `RssAnon:\t${kb(anon)}`,
    `RssFile:\t${kb(file)}`,
    `RssShmem:\t${kb(shmem)}`,
    `VmData:\t${kb(mm.data_vm)}`,
    `VmStk:\t${kb(mm.stack_vm)}`,
    `VmExe:\t${kbBytes(text)}`,
    `VmLib:\t${kbBytes(lib)}`,
    `VmPTE:\t${kbBytes(mm.pgtables_bytes)}`,
    `VmSwap:\t${kb(mm.rss_stat[MM_SWAPENTS])}`,
  ];
}

/** proc_pid_status: /proc/<pid>/status. */
export function proc_pid_status(t: Task): string {
  const sig = t.signal;
  const [ign, catch_] = sigign_sigcatch(t);
  const ids = (n: number): string => [n, n, n, n].join('\t');
  const fds = t.files?.fd.length ?? 0;
  let fdsize = 64;
  while (fdsize < fds) fdsize *= 2;
  const queued = (sig?.shared_pending.list.length ?? 0) + t.pending.list.length;
  const lines = [
    `Name:\t${task_comm(t)}`,
    ...(t.fs === null ? [] : [`Umask:\t${t.fs.umask.toString(8).padStart(4, '0')}`]),
    `State:\t${STATE_NAMES[stateLetter(t)] ?? stateLetter(t)}`,
    `Tgid:\t${t.tgid}`,
    'Ngid:\t0',
    `Pid:\t${t.pid}`,
    `PPid:\t${t.real_parent?.tgid ?? 0}`,
    'TracerPid:\t0',
    `Uid:\t${ids(0)}`,
    `Gid:\t${ids(0)}`,
    `FDSize:\t${t.files === null ? 0 : fdsize}`,
    'Groups:\t',
    `NStgid:\t${t.tgid}`,
    `NSpid:\t${t.pid}`,
    `NSpgid:\t${sig?.pgrp ?? 0}`,
    `NSsid:\t${sig?.session ?? 0}`,
    `Kthread:\t${(t.flags & PF_KTHREAD) !== 0 ? 1 : 0}`,
    ...(t.mm === null ? [] : task_mem(t.mm)),
    'CoreDumping:\t0',
    'THP_enabled:\t1',
    'untag_mask:\t0xffffffffffffffff',
    `Threads:\t${sig?.nr_threads ?? 1}`,
    `SigQ:\t${queued}/${ulong(sig?.rlim[RLIMIT_SIGPENDING]?.rlim_cur ?? 0)}`,
    `SigPnd:\t${hex64(t.pending.signal)}`,
    `ShdPnd:\t${hex64(sig?.shared_pending.signal ?? 0n)}`,
    `SigBlk:\t${hex64(t.blocked)}`,
    `SigIgn:\t${hex64(ign)}`,
    `SigCgt:\t${hex64(catch_)}`,
    'CapInh:\t0000000000000000',
    'CapPrm:\t000001ffffffffff',
    'CapEff:\t000001ffffffffff',
    'CapBnd:\t000001ffffffffff',
    'CapAmb:\t0000000000000000',
    'NoNewPrivs:\t0',
    'Seccomp:\t0',
    'Seccomp_filters:\t0',
    'Speculation_Store_Bypass:\tunknown',
    'SpeculationIndirectBranch:\tunknown',
    'Cpus_allowed:\t1',
    'Cpus_allowed_list:\t0',
    'Mems_allowed:\t1',
    'Mems_allowed_list:\t0',
    `voluntary_ctxt_switches:\t${t.nvcsw}`,
    `nonvoluntary_ctxt_switches:\t${t.nivcsw}`,
  ];
  return lines.join('\n') + '\n';
}
