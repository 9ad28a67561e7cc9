/**
 * The /dev directory (drivers/base/devtmpfs.c): the device nodes a program expects, made by
 * the kernel itself with no host file behind them — null, zero, full, random, urandom, tty,
 * console — and the links to /proc/self/fd that udev would add (fd, stdin, stdout, stderr).
 */
import { dentry, MKDEV, type inode } from '../../fs/fs_types';
import {
  new_simple_sb, simple_dir_inode, simple_file_inode, simple_link_inode, type simple_dir, type simple_sb,
} from '../../fs/libfs';
import { S_IFCHR } from '../../fs/uapi';
import { random_fops, RANDOM_MAJOR, RANDOM_MINOR, URANDOM_MINOR } from '../../random';
import { CONSOLE_MINOR, TTY_MINOR, TTYAUX_MAJOR, tty_fops } from '../tty/tty_io';
import { FULL_MINOR, full_fops, MEM_MAJOR, null_fops, NULL_MINOR, ZERO_MINOR, zero_fops } from '../char/mem';

/** devtmpfs's device number (0:5 on a typical machine). */
const DEVTMPFS_DEV = MKDEV(0, 5);

const LINKS: Record<string, string> = {
  fd: '/proc/self/fd',
  stdin: '/proc/self/fd/0',
  stdout: '/proc/self/fd/1',
  stderr: '/proc/self/fd/2',
};

function device_nodes(sb: simple_sb): Map<string, inode> {
  const chr = (name: string, mode: number, fops: typeof null_fops, major: number, minor: number): [string, inode] =>
    [name, simple_file_inode(sb, name, S_IFCHR | mode, fops, null, MKDEV(major, minor))];
  const nodes = new Map<string, inode>([
    chr('console', 0o600, tty_fops, TTYAUX_MAJOR, CONSOLE_MINOR),
    chr('full', 0o666, full_fops, MEM_MAJOR, FULL_MINOR),
    chr('null', 0o666, null_fops, MEM_MAJOR, NULL_MINOR),
    chr('random', 0o666, random_fops, RANDOM_MAJOR, RANDOM_MINOR),
    chr('tty', 0o666, tty_fops, TTYAUX_MAJOR, TTY_MINOR),
    chr('urandom', 0o666, random_fops, RANDOM_MAJOR, URANDOM_MINOR),
    chr('zero', 0o666, zero_fops, MEM_MAJOR, ZERO_MINOR),
  ]);
  for (const [name, target] of Object.entries(LINKS)) nodes.set(name, simple_link_inode(sb, name, () => target));
  return nodes;
}

/** Mounts the /dev tree on `name` in `parent` (the guest's root). */
export function devtmpfs_mount(parent: dentry, name: string): dentry {
  const sb = new_simple_sb('devtmpfs', DEVTMPFS_DEV, 4096);
  const nodes = device_nodes(sb);
  const names = [...nodes.keys()].sort();
  const dir: simple_dir = { names: () => names, child: (_d, n) => nodes.get(n) ?? null };
  return new dentry(name, parent, simple_dir_inode(sb, '/', 0o755, dir));
}
