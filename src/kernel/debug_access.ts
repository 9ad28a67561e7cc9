/**
 * A debugger's access to the memory of a task (what ptrace's PEEKDATA/POKEDATA and
 * /proc/<pid>/mem give gdb on Linux, via access_process_vm).
 *
 * Reading must not change the machine — a debugger that looks at a variable must not fault a
 * page in, bump an rss counter or set an accessed bit, or the run it is watching would no longer
 * replay identically. So `peek_user` walks the page tables without touching them and, for a page
 * that is not present yet, answers what the first access would see: the file's bytes for a file
 * mapping, zeroes for an anonymous one. Writing is a real access, like ptrace's: it goes through
 * access_remote_vm, so a page shared copy-on-write is copied first and the other process keeps
 * its own value.
 */
import { PAGE_SIZE } from '../cpu/physmem';
import { leafPteAddress, ptePfn, PTE_V, USER_VA_END } from '../cpu/sv39';
import type { Kernel } from './kernel';
import { set_current, set_kernel, set_kernel_probe, type KernelProbe } from './kfunc';
import { set_fs_pwd } from './fs/fs_struct';
import { filename_lookup, LOOKUP_DIRECTORY, LOOKUP_FOLLOW } from './fs/namei';
import { AT_FDCWD } from './fs/uapi';
import { access_remote_vm, set_uaccess_watch } from './mm/uaccess';
import type { mm_struct } from './mm/mm_types';
import { vma_lookup } from './mm/vma';
import type { Task } from './task';

/**
 * `len` bytes of `mm` at user address `addr`, as the task would read them, or null when part of
 * the range is outside every mapping.
 */
export function peek_user(k: Kernel, mm: mm_struct, addr: number, len: number): Uint8Array | null {
  if (!Number.isSafeInteger(addr) || addr < 0 || len < 0 || addr + len > USER_VA_END) return null;
  const out = new Uint8Array(len);
  let done = 0;
  while (done < len) {
    const a = addr + done;
    const off = a % PAGE_SIZE;
    const chunk = Math.min(len - done, PAGE_SIZE - off);
    const ptep = leafPteAddress(k.mem, mm.pgd, Math.floor(a / PAGE_SIZE));
    const pte = ptep < 0 ? 0 : k.mem.view.getUint32(ptep, true);
    if ((pte & PTE_V) !== 0) {
      const pa = ptePfn(pte) * PAGE_SIZE + off;
      out.set(k.mem.bytes.subarray(pa, pa + chunk), done);
    } else {
      const vma = vma_lookup(mm, a);
      if (vma === null) return null;
      // Not faulted in yet: a file mapping shows the file (past its end, zeroes); anonymous
      // memory is zero-filled on first touch, which `out` already is.
      if (vma.vm_file !== null) {
        const fileOffset = vma.vm_pgoff * PAGE_SIZE + (a - vma.vm_start);
        vma.vm_file.readAt(out.subarray(done, done + chunk), fileOffset);
      }
    }
    done += chunk;
  }
  return out;
}

/**
 * Writes `bytes` at user address `addr` of `task`'s address space as the kernel writes another
 * process's memory (copy-on-write broken, pages faulted in). Returns how many bytes were
 * written: fewer than asked when the range runs into memory the task cannot write.
 * Kernel breakpoints and watchpoints are suspended meanwhile: this is the debugger's access, not
 * the guest's.
 */
export function poke_user(k: Kernel, task: Task, addr: number, bytes: Uint8Array, probe: KernelProbe | null): number {
  const mm = task.mm;
  if (mm === null) return 0;
  let written = 0;
  set_kernel_probe(null);
  const watch = set_uaccess_watch(null);
  try {
    k.run_kernel_path(task, (function* poke() {
      written = yield* access_remote_vm(mm, addr, bytes, true);
    })());
  } finally {
    set_kernel_probe(probe);
    set_uaccess_watch(watch);
  }
  return written;
}

/**
 * Sets the working directory init and the program start in (the launch configuration's `cwd`),
 * before the machine runs: the program inherits it through fork. Returns why it cannot, or null.
 */
export function set_initial_cwd(k: Kernel, path: string): string | null {
  if (path === '/') return null;
  const init = k.tasks.find((t) => t.pid === 1);
  if (init === undefined || init.fs === null) return 'init has no fs_struct';
  set_kernel(k);
  set_current(init);
  const d = filename_lookup(AT_FDCWD, path, LOOKUP_FOLLOW | LOOKUP_DIRECTORY);
  if (typeof d === 'number') return `${path} is not a directory in the guest (error ${-d})`;
  set_fs_pwd(init.fs, d);
  return null;
}
