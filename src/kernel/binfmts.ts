/**
 * `struct linux_binprm` (include/linux/binfmts.h): everything exec gathers about the new
 * program before the point of no return — the file, the temporary mm being built, the argument
 * and environment strings already copied into it, and the interpreter chain (`#!`, ld.so).
 */
import type { MappedFile, mm_struct, vm_area_struct } from './mm/mm_types';

/** A program file opened for exec (what Linux's `struct file` + inode give binfmt loaders). */
export interface exec_file {
  /** The path as the guest named it (what AT_EXECFN and /proc/<pid>/exe show). */
  readonly path: string;
  /** The whole file's bytes. */
  readonly bytes: Uint8Array;
  /** The same file as mmap sees it: ELF segments are mapped from it, not copied. */
  readonly mapped: MappedFile;
}

export class linux_binprm {
  /** The new address space under construction (the "temporary mm" of bprm_mm_init). */
  mm: mm_struct | null = null;
  /** The one-page stack VMA made by __bprm_mm_init, grown as strings are copied. */
  vma: vm_area_struct | null = null;
  /** Current top of the argument area: strings are copied below it, downwards. */
  p = 0;
  /** Lowest address `p` may reach (bprm_stack_limits). */
  argmin = 0;
  argc = 0;
  envc = 0;
  /** The file being executed now (the script, then its interpreter…). */
  file: exec_file;
  /** The name the program was invoked with, and the (interpreter-adjusted) name to run. */
  filename: string;
  interp: string;
  /** AT_EXECFN: the address of the filename string in the new stack. */
  exec = 0;
  /** Interpreter nesting depth (binfmt_script → binfmt_elf…). */
  depth = 0;
  /** The first bytes of the file (BINPRM_BUF_SIZE = 256). */
  buf: Uint8Array;
  /** argv/envp, kept for the snapshot and /proc/<pid>/cmdline. */
  argv: string[] = [];
  envp: string[] = [];
  /** Once past begin_new_exec's point of no return, failure kills the task. */
  point_of_no_return = false;
  /** A human sentence for the CLI when the loader refuses the file (e.g. a malformed ELF). */
  error_message: string | null = null;

  constructor(file: exec_file, filename: string) {
    this.file = file;
    this.filename = filename;
    this.interp = filename;
    this.buf = file.bytes.subarray(0, 256);
  }
}
