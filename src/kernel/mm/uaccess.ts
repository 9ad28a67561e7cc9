/**
 * The kernel's access to user memory (arch/riscv/include/asm/uaccess.h, lib/usercopy.c,
 * lib/strncpy_from_user.c, mm/memory.c's access_remote_vm).
 *
 * On riscv the kernel touches user memory with ordinary loads and stores (SUM set); a missing or
 * forbidden page traps into the page-fault handler like a user access would — the stack may grow,
 * copy-on-write may break — and if that fails, the exception table turns the fault into a short
 * copy. Here the kernel walks the page tables itself and calls the same fault path, so these
 * functions are generators. Nothing throws: an address outside user space or unmapped gives a
 * short count or -EFAULT, exactly at the page where access stopped.
 */
import { PAGE_SIZE } from '../../cpu/physmem';
import { ptePfn, PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W } from '../../cpu/sv39';
import { EFAULT, ENAMETOOLONG } from '../errno';
import { capture_kernel_lines, current, kernel, type KernelStop, type KGen } from '../kfunc';
import { handle_mm_fault } from './memory';
import { expand_stack, TASK_SIZE } from './mmap';
import { FAULT_FLAG_REMOTE, FAULT_FLAG_WRITE, type mm_struct, VM_FAULT_ERROR, VM_FAULT_OOM } from './mm_types';
import { alloc_pages_may_oom } from './oom_kill';
import { pte_offset, ptep_get, set_pte } from './pgtable';
import { vma_lookup } from './vma';
import { VM_READ, VM_WRITE } from './vm_flags';

/** access_ok: does [addr, addr+size) lie inside user space? */
export function access_ok(addr: number, size: number): boolean {
  return Number.isSafeInteger(addr) && addr >= 0 && size <= TASK_SIZE && addr <= TASK_SIZE - size;
}

/**
 * The frame behind user address `addr` of `mm`, ready for a read or a write: the PTE is used if
 * it allows the access (its accessed/dirty bits set as the hardware would), otherwise the fault
 * is handled as for a kernel-mode fault (`remote`: as get_user_pages does for another mm — no
 * stack growth, and reading needs VM_READ). Returns the frame number or -EFAULT.
 */
function* user_frame(mm: mm_struct, addr: number, write: boolean, remote: boolean): KGen<number> {
  if (!access_ok(addr, 1)) return -EFAULT;
  const need = PTE_V | PTE_U | (write ? PTE_W : PTE_R);
  for (let attempt = 0; attempt < 3;) {
    const ptep = pte_offset(mm, addr);
    const pte = ptep < 0 ? 0 : ptep_get(ptep);
    if ((pte & need) === need) {
      const set = write ? PTE_A | PTE_D : PTE_A;
      if ((pte & set) !== set) set_pte(ptep, pte | set);
      return ptePfn(pte);
    }
    const vma = remote ? vma_lookup(mm, addr) : expand_stack(mm, addr);
    if (vma === null) return -EFAULT;
    // access_error: a write needs VM_WRITE; a read VM_READ (or VM_WRITE, which implies it on riscv).
    const allowed = write ? VM_WRITE : remote ? VM_READ : VM_READ | VM_WRITE;
    if ((vma.vm_flags & allowed) === 0) return -EFAULT;
    const ret = yield* handle_mm_fault(vma, addr, (write ? FAULT_FLAG_WRITE : 0) | (remote ? FAULT_FLAG_REMOTE : 0));
    // No free frame: the OOM killer makes room and the access is tried again.
    if ((ret & VM_FAULT_OOM) !== 0 && (yield* alloc_pages_may_oom())) continue;
    if ((ret & VM_FAULT_ERROR) !== 0) return -EFAULT;
    attempt++;
  }
  return -EFAULT;
}

/**
 * A debugger's data watchpoints over the kernel's own user-memory accesses (a `read()` filling a
 * watched buffer is a write to it, as a hardware watchpoint would see). Linux has no such hook —
 * its hardware breakpoints trap kernel accesses for free — so it is the one place here all of
 * them pass through. null while no watchpoint is set: one comparison per page moved.
 */
export interface UaccessWatch {
  /** `len` bytes at `addr` of `mm` are about to be moved; true stops the machine right after. */
  access(mm: mm_struct, addr: number, len: number, write: boolean): boolean;
}

let uaccess_watch: UaccessWatch | null = null;

/** Installs (or with null removes) the watch; returns the one installed before. */
export function set_uaccess_watch(w: UaccessWatch | null): UaccessWatch | null {
  const before = uaccess_watch;
  uaccess_watch = w;
  return before;
}

const WATCH_STOP: KernelStop = { kind: 'stop', reason: 'watchpoint' };

/**
 * Moves bytes between `buf` and user memory at `addr` of `mm`, a page at a time; returns how
 * many bytes were moved before the first page that could not be reached.
 */
function* transfer(mm: mm_struct, addr: number, buf: Uint8Array, write: boolean, remote: boolean): KGen<number> {
  const mem = kernel().mem;
  const n = buf.length;
  let done = 0;
  while (done < n) {
    const a = addr + done;
    const pfn = yield* user_frame(mm, a, write, remote);
    if (pfn < 0) break;
    const off = a % PAGE_SIZE;
    const chunk = Math.min(n - done, PAGE_SIZE - off);
    const pa = pfn * PAGE_SIZE + off;
    const watched = uaccess_watch !== null && uaccess_watch.access(mm, a, chunk, write);
    if (write) {
      mem.bytes.set(buf.subarray(done, done + chunk), pa);
      mem.wroteFrame(pfn);
    } else {
      buf.set(mem.bytes.subarray(pa, pa + chunk), done);
    }
    done += chunk;
    if (watched) {
      capture_kernel_lines(current());
      yield WATCH_STOP;
    }
  }
  return done;
}

/**
 * copy_from_user: fills `to` from user address `from`. Returns the number of bytes NOT copied
 * (0 on success); the uncopied tail of `to` is zeroed, as Linux does.
 */
export function* copy_from_user(to: Uint8Array, from: number): KGen<number> {
  const mm = current().mm;
  const done = mm !== null && access_ok(from, to.length) ? yield* transfer(mm, from, to, false, false) : 0;
  to.fill(0, done);
  return to.length - done;
}

/** copy_to_user: writes `from` at user address `to`. Returns the number of bytes NOT written. */
export function* copy_to_user(to: number, from: Uint8Array): KGen<number> {
  const mm = current().mm;
  const done = mm !== null && access_ok(to, from.length) ? yield* transfer(mm, to, from, true, false) : 0;
  return from.length - done;
}

/** clear_user: zeroes `n` bytes at user address `to`. Returns the number of bytes NOT zeroed. */
export function clear_user(to: number, n: number): KGen<number> {
  return copy_to_user(to, new Uint8Array(n));
}

/**
 * strncpy_from_user: the NUL-terminated string at `src`, read up to `count` bytes (UTF-8).
 * -EFAULT if it runs into an unmapped page first, -ENAMETOOLONG if no NUL comes within `count`.
 */
export function* strncpy_from_user(src: number, count: number): KGen<string | number> {
  const mm = current().mm;
  if (mm === null || !access_ok(src, 1)) return -EFAULT;
  const mem = kernel().mem;
  const parts: Uint8Array[] = [];
  let done = 0;
  while (done < count) {
    const a = src + done;
    const pfn = yield* user_frame(mm, a, false, false);
    if (pfn < 0) return -EFAULT;
    const off = a % PAGE_SIZE;
    const pa = pfn * PAGE_SIZE + off;
    const chunk = mem.bytes.subarray(pa, pa + Math.min(count - done, PAGE_SIZE - off));
    const nul = chunk.indexOf(0);
    // The bytes read, the NUL included: what a watchpoint on the string sees the kernel read.
    const watched = uaccess_watch !== null && uaccess_watch.access(mm, a, nul >= 0 ? nul + 1 : chunk.length, false);
    parts.push(chunk.slice(0, nul >= 0 ? nul : chunk.length));
    if (watched) {
      capture_kernel_lines(current());
      yield WATCH_STOP;
    }
    if (nul >= 0) return Buffer.concat(parts).toString('utf8');
    done += chunk.length;
  }
  return -ENAMETOOLONG;
}

/** get_user of a u32: its value, or -EFAULT. */
export function* get_user_u32(uaddr: number): KGen<number> {
  const b = new Uint8Array(4);
  if ((yield* copy_from_user(b, uaddr)) !== 0) return -EFAULT;
  return new DataView(b.buffer).getUint32(0, true);
}

/** get_user of a u64: its value, or -EFAULT (a number, so the two cannot be confused). */
export function* get_user_u64(uaddr: number): KGen<bigint | number> {
  const b = new Uint8Array(8);
  if ((yield* copy_from_user(b, uaddr)) !== 0) return -EFAULT;
  return new DataView(b.buffer).getBigUint64(0, true);
}

/** put_user of a u32: 0 or -EFAULT. */
export function* put_user_u32(uaddr: number, value: number): KGen<number> {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0, true);
  return (yield* copy_to_user(uaddr, b)) === 0 ? 0 : -EFAULT;
}

/** put_user of a u64: 0 or -EFAULT. */
export function* put_user_u64(uaddr: number, value: bigint): KGen<number> {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt.asUintN(64, value), true);
  return (yield* copy_to_user(uaddr, b)) === 0 ? 0 : -EFAULT;
}

/**
 * access_remote_vm: reads or writes the memory of another mm (exec copies the arguments into
 * the new program's stack with it). Faults pages in as get_user_pages does; returns the bytes
 * transferred, stopping at the first page that cannot be reached.
 */
export function access_remote_vm(mm: mm_struct, addr: number, buf: Uint8Array, write: boolean): KGen<number> {
  return transfer(mm, addr, buf, write, true);
}
