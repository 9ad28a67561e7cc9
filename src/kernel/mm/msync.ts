/**
 * msync (mm/msync.c): writes the dirty pages of shared file mappings in a range back to their
 * files. Holes in the range are skipped but make the call fail with ENOMEM at the end (at once
 * for a plain MS_ASYNC). Forkscope writes back for MS_ASYNC too: its files are read and written
 * by the host directly, so the data must reach them for a later read() to see it.
 */
import { PAGE_SIZE } from '../../cpu/physmem';
import { EBUSY, EINVAL, ENOMEM } from '../errno';
import { current, kfunc, klocals, type KGen } from '../kfunc';
import { file_mapping, filemap_write_and_wait_range } from './filemap';
import { PAGE_ALIGN } from './mmap';
import { find_vma } from './vma';
import { VM_LOCKED, VM_SHARED } from './vm_flags';

export const MS_ASYNC = 1;
export const MS_INVALIDATE = 2;
export const MS_SYNC = 4;

/** msync(start, len, flags): 0 or -errno. */
export const sys_msync = kfunc('mm/msync.c', function* sys_msync(start: number, len: number, flags: number): KGen<number> {
  const mm = current().mm!;
  klocals({ start: '0x' + start.toString(16), len, flags });
  if ((flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) !== 0) return -EINVAL;
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  if ((flags & MS_ASYNC) !== 0 && (flags & MS_SYNC) !== 0) return -EINVAL;
  const end = start + PAGE_ALIGN(len);
  if (end >= 2 ** 64) return -ENOMEM;
  if (end === start) return 0;
  let unmapped_error = 0;
  let vma = find_vma(mm, start);
  for (;;) {
    if (vma === null) return -ENOMEM;
    if (start < vma.vm_start) {
      if (flags === MS_ASYNC) return -ENOMEM;
      start = vma.vm_start;
      if (start >= end) return -ENOMEM;
      unmapped_error = -ENOMEM;
    }
    if ((flags & MS_INVALIDATE) !== 0 && (vma.vm_flags & VM_LOCKED) !== 0) return -EBUSY;
    const file = vma.vm_file;
    const fstart = vma.vm_pgoff + (start - vma.vm_start) / PAGE_SIZE;
    const fend = fstart + (Math.min(end, vma.vm_end) - start) / PAGE_SIZE;
    start = vma.vm_end;
    if (file !== null && (vma.vm_flags & VM_SHARED) !== 0) {
      const mapping = file_mapping(file);
      if (mapping !== undefined) filemap_write_and_wait_range(mapping, fstart, fend);
    }
    if (start >= end) break;
    vma = find_vma(mm, start);
  }
  yield* [];
  return unmapped_error;
});
