/**
 * A machine for file-system tests without a guest program: a Kernel over a temporary root and a
 * task with a descriptor table and an fs_struct, on which kernel functions are called directly
 * (they must not sleep here).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Console } from '../../src/kernel/drivers/tty/console';
import { EBADF } from '../../src/kernel/errno';
import { close_fd, fget, fput } from '../../src/kernel/fs/file';
import { init_fs_struct } from '../../src/kernel/fs/fs_struct';
import { files_struct } from '../../src/kernel/fs/fs_types';
import { kvec_iter } from '../../src/kernel/fs/iov_iter';
import { do_sys_openat2 } from '../../src/kernel/fs/open';
import { vfs_iter_read, vfs_iter_write } from '../../src/kernel/fs/read_write';
import { AT_FDCWD } from '../../src/kernel/fs/uapi';
import { Kernel } from '../../src/kernel/kernel';
import { set_current, set_kernel, type KGen } from '../../src/kernel/kfunc';
import { Task } from '../../src/kernel/task';

/** A fresh temporary directory, removed by the returned function. */
export function tempDir(prefix: string): [string, () => void] {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return [dir, () => rmSync(dir, { recursive: true, force: true })];
}

export interface FsMachineOptions {
  sysroot?: string;
  console?: Console;
  seed?: number;
}

export class FsMachine {
  readonly k: Kernel;
  readonly task = new Task();

  constructor(root: string, o: FsMachineOptions = {}) {
    this.k = new Kernel({ memBytes: 1 << 20, seed: o.seed ?? 1, root, sysroot: o.sysroot, console: o.console });
    this.task.pid = this.task.tgid = 1;
    this.enter();
    this.task.files = new files_struct();
    this.task.fs = init_fs_struct();
  }

  /** Makes this machine and task the running ones (as the scheduler would). */
  enter(): void {
    set_kernel(this.k);
    set_current(this.task);
  }

  /** Runs a kernel function to its end; it must not sleep. */
  call<T>(g: KGen<T>): T {
    this.enter();
    for (;;) {
      const r = g.next();
      if (r.done === true) return r.value;
      throw new Error(`kernel function yielded ${JSON.stringify(r.value)}`);
    }
  }

  open(path: string, flags: number, mode = 0, dfd = AT_FDCWD): number {
    return this.call(do_sys_openat2(dfd, path, flags, mode));
  }

  close(fd: number): number {
    this.enter();
    return close_fd(fd);
  }

  /** read(2) into a kernel buffer: the bytes, or -errno. */
  read(fd: number, count: number): Uint8Array | number {
    this.enter();
    const f = fget(fd);
    if (f === null) return -EBADF;
    const buf = new Uint8Array(count);
    const n = this.call(vfs_iter_read(f, new kvec_iter(buf), null));
    fput(f);
    return typeof n === 'number' && n < 0 ? n : buf.subarray(0, n);
  }

  write(fd: number, data: string | Uint8Array): number {
    this.enter();
    const f = fget(fd);
    if (f === null) return -EBADF;
    const bytes = typeof data === 'string' ? Buffer.from(data) : data;
    const n = this.call(vfs_iter_write(f, new kvec_iter(bytes), null));
    fput(f);
    return n;
  }

  /** The whole contents of a guest file, as text; -errno if it cannot be opened or read. */
  readFile(path: string): string | number {
    const fd = this.open(path, 0);
    if (fd < 0) return fd;
    const chunks: Uint8Array[] = [];
    for (;;) {
      const r = this.read(fd, 4096);
      if (typeof r === 'number') return r;
      if (r.length === 0) break;
      chunks.push(r.slice());
    }
    this.close(fd);
    return Buffer.concat(chunks).toString('latin1');
  }
}
