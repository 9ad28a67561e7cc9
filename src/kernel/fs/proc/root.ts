/**
 * The root of procfs (fs/proc/root.c, fs/proc/self.c, fs/proc/thread_self.c): /proc lists the
 * system-wide files, `self` and `thread-self` (links to the reader's own process and thread),
 * then one directory per live process. A thread's id can be looked up too, though only
 * processes are listed; a released task's directory is gone.
 */
import { current, kernel, type KGen } from '../../kfunc';
import { find_task_by_vpid } from '../../pid';
import { dentry, MKDEV, type inode } from '../fs_types';
import { new_simple_sb, simple_dir_inode, simple_file_inode, simple_link_inode, type simple_dir, type simple_sb } from '../libfs';
import { single_fops } from '../seq_file';
import { S_IFREG } from '../uapi';
import { proc_pid_inode } from './base';
import { meminfo_proc_show } from './meminfo';

/** procfs's device number (an anonymous device, like Linux's 0:2x). */
export const PROC_DEV = MKDEV(0, 22);

const meminfo_fops = single_fops(function* (): KGen<string> {
  yield* [];
  return meminfo_proc_show();
});

/** The live processes (thread-group leaders), by pid; the idle task is not one. */
function tgids(): number[] {
  return kernel().tasks.filter((t) => t.group_leader === t && t.pid > 0).map((t) => t.pid).sort((a, b) => a - b);
}

function proc_root_dir(sb: simple_sb): simple_dir {
  const fixed = new Map<string, inode>([
    ['meminfo', simple_file_inode(sb, 'meminfo', S_IFREG | 0o444, meminfo_fops)],
    ['self', simple_link_inode(sb, 'self', () => String(current().tgid))],
    ['thread-self', simple_link_inode(sb, 'thread-self', () => `${current().tgid}/task/${current().pid}`)],
  ]);
  return {
    names: () => [...fixed.keys(), ...tgids().map(String)],
    child: (_d, name) => {
      const f = fixed.get(name);
      if (f !== undefined) return f;
      if (!/^[1-9]\d*$/.test(name)) return null;
      const t = find_task_by_vpid(Number(name));
      return t === null ? null : proc_pid_inode(sb, t);
    },
  };
}

/** Mounts procfs on `name` in `parent` (the guest's root). */
export function proc_mount(parent: dentry, name: string): dentry {
  const sb = new_simple_sb('proc', PROC_DEV, 1024);
  return new dentry(name, parent, simple_dir_inode(sb, '/', 0o555, proc_root_dir(sb)));
}
