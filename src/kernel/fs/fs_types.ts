/**
 * The per-task file-system objects of Linux: `struct file` (include/linux/fs.h), the descriptor
 * table `files_struct` (include/linux/fdtable.h) and `fs_struct` (include/linux/fs_struct.h:
 * root and current directory). They are reference-counted and shared or copied by clone's
 * CLONE_FILES / CLONE_FS flags exactly as in Linux (kernel/fork.c: copy_files, copy_fs).
 */
import type { KGen } from '../kfunc';

/** The operations a kind of file provides (Linux's `struct file_operations`). */
export interface file_operations {
  /** Reads into dst at *pos; may sleep (pipes, terminals). Returns bytes or -errno. */
  read?(file: file, dst: Uint8Array): KGen<number>;
  /** Writes src; may sleep. Returns bytes or -errno. */
  write?(file: file, src: Uint8Array): KGen<number>;
  /** Positional read/write for files that support them (pread64/pwrite64). */
  pread?(file: file, dst: Uint8Array, pos: number): number;
  pwrite?(file: file, src: Uint8Array, pos: number): number;
  /** New position or -errno (ESPIPE for pipes). */
  llseek?(file: file, offset: number, whence: number): number;
  /** Called when the last reference goes away. */
  release?(file: file): void;
}

export class file {
  /** Open flags (O_ACCMODE, O_APPEND, O_NONBLOCK…), as F_GETFL reports them. */
  f_flags: number;
  f_pos = 0;
  /** References from descriptor tables (and in-flight syscalls). */
  f_count = 1;
  readonly f_op: file_operations;
  /** The path as the guest named it (for /proc/<pid>/fd and messages). */
  readonly path: string;
  /** Kind-specific state (the host file, the pipe buffer…). */
  readonly private_data: unknown;

  constructor(op: file_operations, flags: number, path: string, private_data: unknown) {
    this.f_op = op;
    this.f_flags = flags;
    this.path = path;
    this.private_data = private_data;
  }
}

export class files_struct {
  /** Tasks sharing this table (CLONE_FILES). */
  count = 1;
  /** fd → open file. */
  readonly fd: (file | null)[] = [];
  /** fd → FD_CLOEXEC. */
  readonly close_on_exec: boolean[] = [];
  next_fd = 0;
}

export class fs_struct {
  /** Tasks sharing this (CLONE_FS). */
  users = 1;
  /** umask of the process. */
  umask = 0o022;
  /** The root and the working directory, as absolute guest paths. */
  root = '/';
  pwd = '/';
}
