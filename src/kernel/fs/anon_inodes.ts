/**
 * Anonymous inodes (fs/anon_inodes.c): files that belong to no directory, such as epoll
 * instances. They all share one inode of the anon_inodefs file system (mode 0600, no file type:
 * fstat shows the same st_ino for every epoll descriptor); only the name each file is given
 * tells them apart in /proc/<pid>/fd ("anon_inode:[eventpoll]"). Opened again by name, through
 * /proc/<pid>/fd, such a file gives ENXIO.
 */
import { ENXIO } from '../errno';
import { kernel } from '../kfunc';
import type { Kernel } from '../kernel';
import { dentry, file, MKDEV, type file_operations, type inode } from './fs_types';
import { new_simple_sb, simple_file_inode } from './libfs';
import { open_fmode } from './open';
import { O_ACCMODE, O_NONBLOCK } from './uapi';

/** anon_inodefs' device number. */
const ANON_INODEFS_DEV = MKDEV(0, 16);

const anon_inode_inodes = new WeakMap<Kernel, inode>();

/** The machine's one anonymous inode. */
function anon_inode_inode(): inode {
  const k = kernel();
  let ino = anon_inode_inodes.get(k);
  if (ino === undefined) {
    const sb = new_simple_sb('anon_inodefs', ANON_INODEFS_DEV, 4096);
    ino = simple_file_inode(sb, 'anon_inode', 0o600, { open: () => -ENXIO });
    anon_inode_inodes.set(k, ino);
  }
  return ino;
}

/** anon_inode_getfile: a new file `anon_inode:<name>` with the given operations and state. */
export function anon_inode_getfile(name: string, fops: file_operations, priv: unknown, flags: number): file {
  const f = new file(new dentry(`anon_inode:${name}`, null, anon_inode_inode()), flags & (O_ACCMODE | O_NONBLOCK),
    open_fmode(flags), fops);
  f.private_data = priv;
  return f;
}
