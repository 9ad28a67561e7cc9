/**
 * The out-of-memory killer (mm/oom_kill.c).
 *
 * When no frame can be found, `out_of_memory` picks the process whose death frees the most
 * memory (`select_bad_process` → `oom_evaluate_task` → `oom_badness`: resident pages plus swap
 * entries plus page-table pages, shifted by oom_score_adj; init, kernel threads and tasks with
 * oom_score_adj -1000 are never chosen), logs why, and SIGKILLs it and every process sharing its
 * mm (`oom_kill_process`). The allocating task then waits a tick and tries again. Two seconds
 * later the `oom_reaper` kernel thread frees the victim's private memory, in case the victim is
 * slow to exit on its own.
 *
 * Forkscope has one page allocator and no swap, memory cgroups or NUMA nodes, so the constraint
 * is always CONSTRAINT_NONE and totalpages is the machine's RAM.
 */
import { PAGE_SIZE } from '../../cpu/physmem';
import { current, kernel, kfunc, klocals, type KGen } from '../kfunc';
import { kthread_run } from '../kthread';
import { printk } from '../printk';
import { schedule, try_to_wake_up } from '../sched/core';
import { wait_event_interruptible, wait_queue_head, wake_up } from '../sched/wait';
import { do_send_sig_info, fatal_signal_pending } from '../signal';
import { SI_KERNEL, SIGKILL, SIGNAL_GROUP_EXIT, type signal_struct } from '../signal_types';
import { PF_EXITING, PF_KTHREAD, type Task, TASK_UNINTERRUPTIBLE } from '../task';
import { trace } from '../trace';
import { zap_pte_range } from './memory';
import { MM_ANONPAGES, MM_FILEPAGES, MM_SHMEMPAGES, MM_SWAPENTS, MMF_OOM_SKIP, type mm_struct } from './mm_types';
import { PAGE_ANON, PAGE_FILE, PAGE_PGTABLE, PAGE_SHMEM } from './page_alloc';
import { get_mm_rss } from './rmap';
import { vma_is_anonymous } from './vma';
import { VM_HUGETLB, VM_PFNMAP, VM_SHARED } from './vm_flags';

export const OOM_SCORE_ADJ_MIN = -1000;
export const OOM_SCORE_ADJ_MAX = 1000;
/** How long the reaper leaves a victim to exit on its own (OOM_REAPER_DELAY, 2 s), in ns. */
const OOM_REAPER_DELAY_NS = 2e9;
/** One scheduler tick (schedule_timeout_uninterruptible(1)), in ns. */
const TICK_NS = 1e6;

/** The OOM killer's state: the reaper's queue, and which processes are victims. */
export class oom_state {
  /** Victims waiting for the reaper (oom_reaper_list), and where it sleeps (oom_reaper_wait). */
  readonly oom_reaper_list: Task[] = [];
  readonly oom_reaper_wait = new wait_queue_head();
  oom_reaper_th: Task | null = null;
  /** signal->oom_mm: set when a process becomes a victim (tsk_is_oom_victim). */
  readonly oom_mm = new WeakMap<signal_struct, mm_struct>();
  /** The mms already handed to the reaper (MMF_OOM_REAP_QUEUED). */
  readonly reap_queued = new WeakSet<mm_struct>();
}

function K(pages: number): number {
  return pages * (PAGE_SIZE / 1024);
}

/** oom_unkillable_task: init and kernel threads. */
function oom_unkillable_task(p: Task): boolean {
  return p.tgid === 1 || (p.flags & PF_KTHREAD) !== 0;
}

/** The processes (thread-group leaders) on the task list, like for_each_process. */
function processes(): Task[] {
  return kernel().tasks.filter((t) => t.group_leader === t);
}

/** find_lock_task_mm: a thread of p's process that still has its mm. */
function find_lock_task_mm(p: Task): Task | null {
  const threads = p.signal?.thread_head ?? [p];
  return threads.find((t) => t.mm !== null) ?? null;
}

function oom_score_adj(p: Task): number {
  return p.signal?.oom_score_adj ?? 0;
}

/** in_vfork: a vfork child still borrowing its parent's mm is not the one to kill. */
function in_vfork(p: Task): boolean {
  return p.vfork_done !== null && p.real_parent !== null && p.real_parent.mm === p.mm;
}

/**
 * oom_badness: how much memory killing `p` would free, in pages — rss + swap entries + page
 * tables — plus oom_score_adj thousandths of RAM. null means never (Linux's LONG_MIN).
 */
export function oom_badness(p: Task, totalpages: number): number | null {
  if (oom_unkillable_task(p)) return null;
  const t = find_lock_task_mm(p);
  if (t === null) return null;
  const mm = t.mm!;
  const adj = oom_score_adj(t);
  if (adj === OOM_SCORE_ADJ_MIN || (mm.flags & MMF_OOM_SKIP) !== 0 || in_vfork(t)) return null;
  const points = get_mm_rss(mm) + mm.rss_stat[MM_SWAPENTS] + mm.pgtables_bytes / PAGE_SIZE;
  return points + adj * Math.floor(totalpages / 1000);
}

/** /proc/<pid>/oom_score: the badness scaled to 0..1333 (proc_oom_score). */
export function oom_score(p: Task): number {
  const totalpages = kernel().pages.totalram_pages;
  const points = oom_badness(p, totalpages);
  return points === null ? 0 : Math.trunc(((1000 + Math.trunc((points * 1000) / totalpages)) * 2) / 3);
}

/** tsk_is_oom_victim */
function tsk_is_oom_victim(p: Task): boolean {
  return p.signal !== null && kernel().oom.oom_mm.has(p.signal);
}

type choice = { chosen: Task | null | 'abort'; points: number };

/**
 * oom_evaluate_task: keeps `task` if it scores at least as high as the best so far. A victim that
 * is still dying stops the whole search ('abort'): killing more would not free memory sooner.
 */
function oom_evaluate_task(task: Task, c: choice, totalpages: number): boolean {
  if (oom_unkillable_task(task)) return false;
  if (tsk_is_oom_victim(task)) {
    const mm = kernel().oom.oom_mm.get(task.signal!)!;
    if ((mm.flags & MMF_OOM_SKIP) !== 0) return false;
    c.chosen = 'abort';
    return true;
  }
  const points = oom_badness(task, totalpages);
  if (points === null || points < c.points) return false;
  c.chosen = task;
  c.points = points;
  return false;
}

/** select_bad_process: the process with the highest badness. */
function select_bad_process(totalpages: number): choice {
  const c: choice = { chosen: null, points: -Infinity };
  for (const p of processes()) if (oom_evaluate_task(p, c, totalpages)) break;
  return c;
}

/** __task_will_free_mem: is the process already on its way out? */
function __task_will_free_mem(t: Task): boolean {
  const sig = t.signal;
  if (sig === null) return false;
  if ((sig.flags & SIGNAL_GROUP_EXIT) !== 0) return true;
  return sig.nr_threads <= 1 && (t.flags & PF_EXITING) !== 0;
}

/**
 * task_will_free_mem: will this task's memory come back soon without killing anyone — it is
 * exiting, and so is every process sharing its mm?
 */
function task_will_free_mem(t: Task): boolean {
  const mm = t.mm;
  if (mm === null || !__task_will_free_mem(t)) return false;
  if ((mm.flags & MMF_OOM_SKIP) !== 0) return false;
  if (mm.mm_users <= 1) return true;
  return processes().every((p) => p.signal === t.signal || find_lock_task_mm(p)?.mm !== mm || __task_will_free_mem(p));
}

/** mark_oom_victim: remembers the process's mm as an OOM victim's (signal->oom_mm). */
function mark_oom_victim(t: Task): void {
  if (t.signal !== null && t.mm !== null && !kernel().oom.oom_mm.has(t.signal)) kernel().oom.oom_mm.set(t.signal, t.mm);
}

/** wake_oom_reaper: the timer expired; queue the victim unless it exited on its own. */
function wake_oom_reaper(t: Task): void {
  const st = kernel().oom;
  const mm = st.oom_mm.get(t.signal!)!;
  if ((mm.flags & MMF_OOM_SKIP) !== 0) return;
  st.oom_reaper_list.push(t);
  wake_up(st.oom_reaper_wait);
}

/** queue_oom_reaper: have the reaper look at the victim in two seconds (once per mm). */
function queue_oom_reaper(t: Task): void {
  const st = kernel().oom;
  const mm = t.signal === null ? undefined : st.oom_mm.get(t.signal);
  if (mm === undefined || st.reap_queued.has(mm)) return;
  st.reap_queued.add(mm);
  const k = kernel();
  k.add_timer(k.ktime_get_ns() + OOM_REAPER_DELAY_NS, () => wake_oom_reaper(t));
}

/** dump_tasks: the table of candidates the OOM report prints. */
function dump_tasks(): void {
  printk('Tasks state (memory values in pages):');
  printk('[  pid  ]   uid  tgid total_vm      rss rss_anon rss_file rss_shmem pgtables_bytes swapents oom_score_adj name');
  for (const p of processes()) {
    if (oom_unkillable_task(p)) continue;
    const t = find_lock_task_mm(p);
    if (t === null) continue;
    const mm = t.mm!;
    const cols = [
      `[${String(t.pid).padStart(7)}]`, '0'.padStart(5), String(t.tgid).padStart(5), String(mm.total_vm).padStart(8),
      String(get_mm_rss(mm)).padStart(8), String(mm.rss_stat[MM_ANONPAGES]).padStart(8),
      String(mm.rss_stat[MM_FILEPAGES]).padStart(8), String(mm.rss_stat[MM_SHMEMPAGES]).padStart(9),
      String(mm.pgtables_bytes).padStart(14), String(mm.rss_stat[MM_SWAPENTS]).padStart(8),
    ];
    printk(`${cols.join(' ')}         ${String(oom_score_adj(t)).padStart(5)} ${t.comm}`);
  }
}

/** dump_header: who asked, the memory state and the candidates. */
function dump_header(victim: Task | null): void {
  const cur = current();
  const pages = kernel().pages;
  printk(`${cur.comm} invoked oom-killer: gfp_mask=0x140dca(GFP_HIGHUSER_MOVABLE|__GFP_COMP|__GFP_ZERO), order=0, oom_score_adj=${oom_score_adj(cur)}`);
  // show_mem's summary, in its layout (no LRU lists, slab or swap here).
  printk('Mem-Info:');
  printk(`active_anon:${pages.nr_kind[PAGE_ANON]} inactive_anon:0 isolated_anon:0`);
  printk(` active_file:${pages.nr_kind[PAGE_FILE]} inactive_file:0 isolated_file:0`);
  printk(' unevictable:0 dirty:0 writeback:0');
  printk(' slab_reclaimable:0 slab_unreclaimable:0');
  printk(` mapped:${pages.nr_file_mapped} shmem:${pages.nr_kind[PAGE_SHMEM]} pagetables:${pages.nr_kind[PAGE_PGTABLE]}`);
  printk(' sec_pagetables:0 bounce:0');
  printk(' kernel_misc_reclaimable:0');
  printk(` free:${pages.nr_free_pages} free_pcp:0 free_cma:0`);
  dump_tasks();
  if (victim !== null) {
    printk(`oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/,task=${victim.comm},pid=${victim.pid},uid=0`);
  }
}

/**
 * __oom_kill_process: SIGKILL the victim's process, log Linux's line, SIGKILL every other
 * process sharing its mm (init pins it instead), and queue the reaper.
 */
function __oom_kill_process(victim: Task, message: string): void {
  const p = find_lock_task_mm(victim);
  if (p === null) {
    printk(`${message}: OOM victim ${victim.pid} (${victim.comm}) is already exiting. Skip killing the task`);
    return;
  }
  victim = p;
  const mm = victim.mm!;
  const info = { si_signo: SIGKILL, si_errno: 0, si_code: SI_KERNEL };
  do_send_sig_info(SIGKILL, info, victim, 'TGID');
  mark_oom_victim(victim);
  printk(`${message}: Killed process ${victim.pid} (${victim.comm}) total-vm:${K(mm.total_vm)}kB, anon-rss:${K(mm.rss_stat[MM_ANONPAGES])}kB, ` +
    `file-rss:${K(mm.rss_stat[MM_FILEPAGES])}kB, shmem-rss:${K(mm.rss_stat[MM_SHMEMPAGES])}kB, UID:0 ` +
    `pgtables:${mm.pgtables_bytes >> 10}kB oom_score_adj:${oom_score_adj(victim)}`);
  trace('oom_kill', victim, { pid: victim.pid, comm: victim.comm, total_vm_kb: K(mm.total_vm), anon_rss_kb: K(mm.rss_stat[MM_ANONPAGES]),
    file_rss_kb: K(mm.rss_stat[MM_FILEPAGES]), shmem_rss_kb: K(mm.rss_stat[MM_SHMEMPAGES]), oom_score_adj: oom_score_adj(victim) });
  let can_oom_reap = true;
  for (const q of processes()) {
    if (q.signal === victim.signal || (q.flags & PF_KTHREAD) !== 0 || find_lock_task_mm(q)?.mm !== mm) continue;
    if (q.tgid === 1) {
      can_oom_reap = false;
      mm.flags = (mm.flags | MMF_OOM_SKIP) >>> 0;
      printk(`oom killer ${victim.pid} (${victim.comm}) has mm pinned by ${q.pid} (${q.comm})`);
      continue;
    }
    do_send_sig_info(SIGKILL, info, q, 'TGID');
  }
  if (can_oom_reap) queue_oom_reaper(victim);
}

/** oom_kill_process: a victim that is exiting anyway is only hurried along; others are killed. */
function oom_kill_process(victim: Task, message: string): void {
  if (task_will_free_mem(victim)) {
    mark_oom_victim(victim);
    queue_oom_reaper(victim);
    return;
  }
  dump_header(victim);
  __oom_kill_process(victim, message);
}

/** panic: the machine stops (an OOM with nothing left to kill). */
function panic(message: string): void {
  printk(`Kernel panic - not syncing: ${message}`);
  kernel().halted = true;
}

/**
 * out_of_memory: frees memory by killing a process. True when progress can be expected (a
 * victim was chosen, or one is still dying); false when nothing could be killed, which in Linux
 * is a panic.
 */
export const out_of_memory = kfunc('mm/oom_kill.c', function* out_of_memory(): KGen<boolean> {
  const cur = current();
  if (task_will_free_mem(cur)) {
    mark_oom_victim(cur);
    queue_oom_reaper(cur);
    return true;
  }
  const c = select_bad_process(kernel().pages.totalram_pages);
  klocals({ chosen: c.chosen === null || c.chosen === 'abort' ? c.chosen : c.chosen.pid, points: c.points });
  if (c.chosen === null) {
    dump_header(null);
    printk('Out of memory and no killable processes...');
    panic('System is deadlocked on memory');
    return false;
  }
  if (c.chosen !== 'abort') oom_kill_process(c.chosen, 'Out of memory');
  yield* [];
  return true;
});

/**
 * The page allocator's last resort (__alloc_pages_may_oom and its retry loop), for a fault that
 * found no free frame: kill something, then sleep one tick so the victim can exit. True when the
 * caller should try the allocation again; false when that is pointless — the current task is
 * being killed (it will exit on its way back to user mode), or nothing was left to kill.
 */
export function* alloc_pages_may_oom(): KGen<boolean> {
  const t = current();
  if (fatal_signal_pending(t)) return false;
  if (!(yield* out_of_memory()) || fatal_signal_pending(t)) return false;
  const k = kernel();
  t.__state = TASK_UNINTERRUPTIBLE;
  k.add_timer(k.ktime_get_ns() + TICK_NS, () => try_to_wake_up(t, TASK_UNINTERRUPTIBLE));
  yield* schedule();
  return true;
}

/**
 * __oom_reap_task_mm: unmaps the victim's private memory — what can be dropped without waiting
 * for anything. Shared mappings are left to the victim's own exit.
 */
function __oom_reap_task_mm(mm: mm_struct): void {
  for (const vma of [...mm.mmap]) {
    if ((vma.vm_flags & (VM_HUGETLB | VM_PFNMAP)) !== 0) continue;
    if (vma_is_anonymous(vma) || (vma.vm_flags & VM_SHARED) === 0) zap_pte_range(vma, vma.vm_start, vma.vm_end);
  }
}

/** oom_reap_task: reap one victim (unless it exited meanwhile), then hide its mm from the killer. */
const oom_reap_task = kfunc('mm/oom_kill.c', function* oom_reap_task(victim: Task): KGen<void> {
  const mm = kernel().oom.oom_mm.get(victim.signal!)!;
  klocals({ pid: victim.pid, comm: victim.comm });
  if ((mm.flags & MMF_OOM_SKIP) === 0) {
    __oom_reap_task_mm(mm);
    printk(`oom_reaper: reaped process ${victim.pid} (${victim.comm}), now anon-rss:${K(mm.rss_stat[MM_ANONPAGES])}kB, ` +
      `file-rss:${K(mm.rss_stat[MM_FILEPAGES])}kB, shmem-rss:${K(mm.rss_stat[MM_SHMEMPAGES])}kB`);
    mm.flags = (mm.flags | MMF_OOM_SKIP) >>> 0;
  }
  yield* [];
});

/** oom_reaper: the kernel thread's loop — reap each queued victim's memory. */
const oom_reaper = kfunc('mm/oom_kill.c', function* oom_reaper(): KGen<void> {
  const st = kernel().oom;
  for (;;) {
    yield* wait_event_interruptible(st.oom_reaper_wait, () => st.oom_reaper_list.length > 0);
    while (st.oom_reaper_list.length > 0) {
      const victim = st.oom_reaper_list.shift()!;
      yield* oom_reap_task(victim);
    }
  }
});

/** oom_init (an initcall): start the reaper thread. */
export const oom_init = kfunc('mm/oom_kill.c', function* oom_init(): KGen<void> {
  const t = yield* kthread_run(oom_reaper, 'oom_reaper');
  if (typeof t !== 'number') kernel().oom.oom_reaper_th = t;
});
