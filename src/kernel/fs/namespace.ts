/**
 * The machine's mount tree (fs/namespace.c: init_mount_tree): the guest's `/` is a hostfs mount
 * of the `root` host directory, with the /dev nodes (devtmpfs) and procfs mounted on it; a
 * `sysroot` host directory, if given, is a second, read-only hostfs tree that absolute lookups
 * fall back to (fs/namei.ts), like qemu-user's -L.
 *
 * Forkscope has one mount namespace per machine, built on first use from the machine's options.
 */
import { errnoName } from '../errno';
import { kernel } from '../kfunc';
import type { Kernel } from '../kernel';
import { devtmpfs_mount } from '../drivers/base/devtmpfs';
import { proc_mount } from './proc/root';
import type { dentry } from './fs_types';
import { hostfs_fill_super, type dirent } from './hostfs/hostfs_kern';
import { DT_DIR } from './uapi';

export interface mnt_namespace {
  /** The guest's `/`. */
  readonly root: dentry;
  /** The read-only fallback tree for absolute paths, or null. */
  readonly sysroot: dentry | null;
  /** File systems mounted on directories of the root: name → mounted root. */
  readonly mounts: ReadonlyMap<string, dentry>;
}

const namespaces = new WeakMap<Kernel, mnt_namespace>();

function mount_host(dir: string, readonly: boolean, mountpoints: dirent[], what: string): dentry {
  const d = hostfs_fill_super(dir, readonly, mountpoints);
  if (typeof d === 'number') throw new Error(`${what} ${dir}: ${errnoName(-d)}`);
  return d;
}

/** init_mount_tree: builds the machine's tree from its options (throws if a directory is bad). */
export function init_mount_tree(k: Kernel): mnt_namespace {
  const mountpoints: dirent[] = [];
  const root = mount_host(k.options.root ?? process.cwd(), false, mountpoints, 'root');
  const sysroot = k.options.sysroot === undefined ? null : mount_host(k.options.sysroot, true, [], 'sysroot');
  const mounts = new Map<string, dentry>([
    ['dev', devtmpfs_mount(root, 'dev')],
    ['proc', proc_mount(root, 'proc')],
  ]);
  for (const [name, d] of mounts) mountpoints.push({ name, ino: d.d_inode.i_ino, type: DT_DIR });
  const ns: mnt_namespace = { root, sysroot, mounts };
  namespaces.set(k, ns);
  return ns;
}

/** The running machine's mount tree. */
export function current_mnt_ns(): mnt_namespace {
  const k = kernel();
  return namespaces.get(k) ?? init_mount_tree(k);
}

/**
 * lookup_mnt: the root of the file system mounted on `name` in `dir`, or null. Mounts sit only
 * on the guest root's own directories.
 */
export function lookup_mnt(dir: dentry, name: string): dentry | null {
  const ns = current_mnt_ns();
  if (dir !== ns.root) return null;
  return ns.mounts.get(name) ?? null;
}
