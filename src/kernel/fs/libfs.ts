/**
 * Helpers for file systems the kernel synthesizes (fs/libfs.c's simple_* functions): the /dev
 * nodes and procfs build their inodes, directories and symbolic links from these.
 */
import { EINVAL, EISDIR, ENOENT } from '../errno';
import type { KGen } from '../kfunc';
import {
  dentry, type dir_context, type file, type file_operations, type inode, type inode_operations,
  type kstat, type super_block,
} from './fs_types';
import { fs_umode_to_dtype, S_IFDIR, S_IFLNK, S_ISDIR, SEEK_CUR, SEEK_SET } from './uapi';

/** A synthesized file system's super block, with stable inode numbers for its objects. */
export interface simple_sb extends super_block {
  readonly inos: Map<string, number>;
  /** st_blksize of its files (procfs 1024, devtmpfs and pipefs a page). */
  readonly s_blocksize: number;
}

export function new_simple_sb(type: string, dev: number, blocksize: number): simple_sb {
  return { s_type: type, s_dev: dev, s_readonly: false, inos: new Map(), s_blocksize: blocksize };
}

/**
 * iunique: the inode number of the object called `key` in this file system: numbers are handed
 * out in order of first use and stay the same for the rest of the run.
 */
export function iunique(sb: simple_sb, key: string): number {
  let ino = sb.inos.get(key);
  if (ino === undefined) {
    ino = sb.inos.size + 1;
    sb.inos.set(key, ino);
  }
  return ino;
}

/** get_next_ino: a fresh number for an object that has no name to key it by (a pipe). */
export function get_next_ino(sb: simple_sb): number {
  return iunique(sb, `#${sb.inos.size}`);
}

/** simple_getattr: what stat reports for a synthesized object (owned by root, times at 0). */
export function simple_getattr(d: dentry): kstat {
  const i = d.d_inode;
  return {
    dev: i.i_sb.s_dev, ino: i.i_ino, mode: i.i_mode, nlink: S_ISDIR(i.i_mode) ? 2 : 1, uid: 0, gid: 0,
    rdev: i.i_rdev ?? 0, size: 0, blksize: (i.i_sb as simple_sb).s_blocksize, blocks: 0,
    atime: 0n, mtime: 0n, ctime: 0n, btime: 0n,
  };
}

/** A directory position is an entry index: any non-negative value may be set (dcache_dir_lseek). */
export function dir_llseek(f: file, offset: number, whence: number): number {
  const pos = whence === SEEK_SET ? offset : whence === SEEK_CUR ? f.f_pos + offset : -1;
  return pos < 0 ? -EINVAL : pos;
}

/** generic_read_dir: read(2) on a directory. */
export function* generic_read_dir(): KGen<number> {
  return -EISDIR;
}

/** A directory whose contents are computed when looked at. */
export interface simple_dir {
  /** The names it holds now, in listing order. */
  names(dir: dentry): readonly string[];
  /** The inode of `name` in it, or null. */
  child(dir: dentry, name: string): inode | null;
}

interface listing_entry {
  readonly name: string;
  readonly ino: number;
  readonly type: number;
}

/** dcache_readdir: `.`, `..`, then the directory's names; the list is taken when a walk starts. */
function simple_iterate(f: file, ctx: dir_context): number {
  const d = f.f_path;
  if (ctx.pos === 0 || f.private_data === null) {
    const dir = d.d_inode.i_private as simple_dir;
    const parent = d.d_parent ?? d;
    const list: listing_entry[] = [
      { name: '.', ino: d.d_inode.i_ino, type: fs_umode_to_dtype(S_IFDIR) },
      { name: '..', ino: parent.d_inode.i_ino, type: fs_umode_to_dtype(S_IFDIR) },
    ];
    for (const name of dir.names(d)) {
      const c = dir.child(d, name);
      if (c !== null) list.push({ name, ino: c.i_ino, type: fs_umode_to_dtype(c.i_mode) });
    }
    f.private_data = list;
  }
  const list = f.private_data as listing_entry[];
  while (ctx.pos < list.length) {
    const e = list[ctx.pos];
    if (!ctx.actor(e.name, e.ino, e.type)) break;
    ctx.pos++;
  }
  return 0;
}

const simple_dir_iops: inode_operations = {
  getattr: simple_getattr,
  lookup(dir: dentry, name: string): dentry | number {
    const c = (dir.d_inode.i_private as simple_dir).child(dir, name);
    return c === null ? -ENOENT : new dentry(name, dir, c);
  },
};

export const simple_dir_operations: file_operations = {
  open: () => 0,
  read_iter: generic_read_dir,
  iterate_shared: simple_iterate,
  llseek: dir_llseek,
};

export function simple_dir_inode(sb: simple_sb, key: string, mode: number, dir: simple_dir): inode {
  return { i_sb: sb, i_ino: iunique(sb, key), i_mode: S_IFDIR | mode, i_op: simple_dir_iops, i_fop: simple_dir_operations, i_private: dir };
}

/** A file (regular, or a device numbered `rdev`) with the given operations. */
export function simple_file_inode(sb: simple_sb, key: string, mode: number, fop: file_operations, priv: unknown = null, rdev = 0): inode {
  return { i_sb: sb, i_ino: iunique(sb, key), i_mode: mode, i_rdev: rdev, i_op: { getattr: simple_getattr }, i_fop: fop, i_private: priv };
}

/**
 * A symbolic link whose target is computed when it is followed — a path, or for a magic link the
 * object itself (readlink then shows that object's path).
 */
export function simple_link_inode(sb: simple_sb, key: string, target: (d: dentry) => string | dentry | number, mode = 0o777, priv: unknown = null): inode {
  return {
    i_sb: sb, i_ino: iunique(sb, key), i_mode: S_IFLNK | mode,
    i_op: { getattr: simple_getattr, get_link: target }, i_fop: {}, i_private: priv,
  };
}
