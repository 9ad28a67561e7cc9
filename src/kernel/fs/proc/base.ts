/**
 * The per-process directories of procfs (fs/proc/base.c): /proc/<pid>/ and
 * /proc/<pid>/task/<tid>/, with the files of tgid_base_stuff / tid_base_stuff that Forkscope
 * has — read from the task, its signal_struct and its mm each time they are read. A file of a
 * task that has been released (its pid freed) fails with ESRCH.
 */
import { EINVAL, ENOENT, ESRCH } from '../../errno';
import { current, type KGen } from '../../kfunc';
import { MM_FILEPAGES, MM_SHMEMPAGES } from '../../mm/mm_types';
import { oom_score, OOM_SCORE_ADJ_MAX, OOM_SCORE_ADJ_MIN } from '../../mm/oom_kill';
import { get_mm_rss } from '../../mm/rmap';
import { access_remote_vm } from '../../mm/uaccess';
import { find_task_by_vpid } from '../../pid';
import type { Task } from '../../task';
import type { dentry, file, inode } from '../fs_types';
import { simple_dir_inode, simple_file_inode, simple_link_inode, type simple_dir, type simple_sb } from '../libfs';
import { single_fops, type show_fn, type store_fn } from '../seq_file';
import { S_IFREG } from '../uapi';
import { do_task_stat, proc_pid_status, task_comm } from './array';
import { proc_fd_dir } from './fd';
import { show_maps } from './task_mmu';

/** pid_alive: the task still owns its pid (it has not been released). */
export function pid_alive(t: Task): boolean {
  return find_task_by_vpid(t.pid) === t;
}

/** The task a per-process file belongs to. */
function task_of(f: file): Task {
  return (f.f_inode.i_private as { task: Task }).task;
}

/** A show function that fails with ESRCH once the task is gone. */
function per_task(show: (t: Task) => KGen<string | Uint8Array>): show_fn {
  return function* (f: file): KGen<string | Uint8Array | number> {
    const t = task_of(f);
    if (!pid_alive(t)) return -ESRCH;
    return yield* show(t);
  };
}

/** get_mm_cmdline / environ_read: the bytes of the mm between two addresses. */
function* mm_bytes(t: Task, which: 'arg' | 'env'): KGen<Uint8Array> {
  const mm = t.mm;
  if (mm === null) return new Uint8Array(0);
  const start = which === 'arg' ? mm.arg_start : mm.env_start;
  const end = which === 'arg' ? mm.arg_end : mm.env_end;
  const buf = new Uint8Array(Math.max(0, end - start));
  const n = yield* access_remote_vm(mm, start, buf, false);
  return buf.subarray(0, n);
}

/** proc_pid_statm: sizes in pages — total, resident, shared, text, 0, data + stack, 0. */
function statm(t: Task): string {
  const mm = t.mm;
  if (mm === null) return '0 0 0 0 0 0 0\n';
  const shared = mm.rss_stat[MM_FILEPAGES] + mm.rss_stat[MM_SHMEMPAGES];
  const text = Math.ceil((mm.end_code - (mm.start_code - (mm.start_code % 4096))) / 4096);
  return `${mm.total_vm} ${get_mm_rss(mm)} ${shared} ${text} 0 ${mm.data_vm + mm.stack_vm} 0\n`;
}

/** proc_pid_auxv: the auxiliary vector the program was given, as (type, value) u64 pairs. */
function auxv(t: Task): Uint8Array {
  const v = t.mm?.saved_auxv ?? [];
  const out = new Uint8Array(v.length * 8);
  const dv = new DataView(out.buffer);
  v.forEach((x, i) => dv.setBigUint64(i * 8, BigInt.asUintN(64, BigInt(x)), true));
  return out;
}

/** comm_write: a thread of the writer's own process may be renamed (15 bytes at most). */
const comm_store: store_fn = (f, data) => {
  const t = task_of(f);
  if (t.signal !== current().signal) return -EINVAL;
  const text = Buffer.from(data).toString('utf8').replace(/\n$/, '');
  t.comm = Buffer.from(text, 'utf8').subarray(0, 15).toString('utf8');
  return data.length;
};

/** oom_score_adj_write: an integer in [-1000, 1000], shared by the whole process. */
const oom_score_adj_store: store_fn = (f, data) => {
  const text = Buffer.from(data).toString('latin1').trim();
  if (!/^[-+]?\d+$/.test(text)) return -EINVAL;
  const v = Number(text);
  if (v < OOM_SCORE_ADJ_MIN || v > OOM_SCORE_ADJ_MAX) return -EINVAL;
  const t = task_of(f);
  if (!pid_alive(t)) return -ESRCH;
  if (t.signal !== null) t.signal.oom_score_adj = v;
  return data.length;
};

/** One entry of a per-process directory. */
interface pid_entry {
  readonly name: string;
  make(sb: simple_sb, t: Task, key: string): inode;
}

function reg(name: string, mode: number, show: (t: Task) => KGen<string | Uint8Array>, store?: store_fn): pid_entry {
  const fops = single_fops(per_task(show), store);
  return { name, make: (sb, t, key) => simple_file_inode(sb, key, S_IFREG | mode, fops, { task: t }) };
}

/** A text file from a plain function of the task. */
function text(name: string, mode: number, show: (t: Task) => string | Uint8Array, store?: store_fn): pid_entry {
  return reg(name, mode, function* (t) {
    yield* [];
    return show(t);
  }, store);
}

function link(name: string, target: (t: Task) => string | dentry | number): pid_entry {
  return {
    name,
    make: (sb, t, key) => simple_link_inode(sb, key, () => (pid_alive(t) ? target(t) : -ESRCH), 0o777, { task: t }),
  };
}

function dir(name: string, mode: number, contents: (sb: simple_sb, t: Task, key: string) => simple_dir): pid_entry {
  return { name, make: (sb, t, key) => simple_dir_inode(sb, key, mode, contents(sb, t, key)) };
}

/** The files both /proc/<pid> and /proc/<pid>/task/<tid> have, in Linux's order. */
function base_entries(whole: boolean): pid_entry[] {
  return [
    dir('fd', 0o500, (sb, t) => proc_fd_dir(sb, t)),
    reg('environ', 0o400, (t) => mm_bytes(t, 'env')),
    text('auxv', 0o400, auxv),
    text('status', 0o444, proc_pid_status),
    text('comm', 0o644, (t) => task_comm(t) + '\n', comm_store),
    reg('cmdline', 0o444, (t) => mm_bytes(t, 'arg')),
    text('stat', 0o444, (t) => do_task_stat(t, whole)),
    text('statm', 0o444, statm),
    text('maps', 0o444, (t) => (t.mm === null ? '' : show_maps(t.mm))),
    link('cwd', (t) => t.fs?.pwd ?? -ESRCH),
    link('root', (t) => t.fs?.root ?? -ESRCH),
    link('exe', (t) => t.mm?.exe_file?.path ?? -ENOENT),
    text('oom_score', 0o444, (t) => `${oom_score(t)}\n`),
    text('oom_score_adj', 0o644, (t) => `${t.signal?.oom_score_adj ?? 0}\n`, oom_score_adj_store),
  ];
}

const TGID_ENTRIES: pid_entry[] = [
  dir('task', 0o555, (sb, t) => proc_task_dir(sb, t)),
  ...base_entries(true),
];
const TID_ENTRIES: pid_entry[] = base_entries(false);

function entries_dir(sb: simple_sb, t: Task, prefix: string, entries: pid_entry[]): simple_dir {
  const names = entries.map((e) => e.name);
  return {
    names: () => (pid_alive(t) ? names : []),
    child: (_d, name) => {
      const e = entries.find((x) => x.name === name);
      return e === undefined || !pid_alive(t) ? null : e.make(sb, t, `${prefix}/${name}`);
    },
  };
}

/** /proc/<pid>/task: the threads of the process, by thread id. */
function proc_task_dir(sb: simple_sb, t: Task): simple_dir {
  const threads = (): Task[] => (t.signal?.thread_head ?? [t]).filter(pid_alive);
  return {
    names: () => threads().map((x) => String(x.pid)),
    child: (_d, name) => {
      const th = threads().find((x) => String(x.pid) === name);
      return th === undefined ? null : simple_dir_inode(sb, `${t.pid}/task/${name}`, 0o555, entries_dir(sb, th, `${t.pid}/task/${name}`, TID_ENTRIES));
    },
  };
}

/** proc_pid_instantiate: the /proc/<pid> directory of a task. */
export function proc_pid_inode(sb: simple_sb, t: Task): inode {
  return simple_dir_inode(sb, String(t.pid), 0o555, entries_dir(sb, t, String(t.pid), TGID_ENTRIES));
}
