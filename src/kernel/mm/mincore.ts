/**
 * mincore (mm/mincore.c): one byte per page of a range, 1 when the page is resident — mapped by
 * a PTE, or (for a file mapping) in the page cache even if this process never touched it.
 */
import { PAGE_SIZE } from '../../cpu/physmem';
import { PTE_V } from '../../cpu/sv39';
import { EFAULT, EINVAL, ENOMEM } from '../errno';
import { current, kfunc, klocals, type KGen } from '../kfunc';
import { filemap_page_cached } from './filemap';
import type { vm_area_struct } from './mm_types';
import { pte_offset, ptep_get } from './pgtable';
import { access_ok, copy_to_user } from './uaccess';
import { vma_lookup } from './vma';

/** do_mincore: the residency of up to `pages` pages from `addr`, all inside one VMA. */
function do_mincore(vma: vm_area_struct, addr: number, pages: number): Uint8Array {
  const end = Math.min(vma.vm_end, addr + pages * PAGE_SIZE);
  const vec = new Uint8Array((end - addr) / PAGE_SIZE);
  for (let i = 0; i < vec.length; i++) {
    const a = addr + i * PAGE_SIZE;
    const ptep = pte_offset(vma.vm_mm, a);
    if (ptep >= 0 && (ptep_get(ptep) & PTE_V) !== 0) vec[i] = 1;
    else if (vma.vm_file !== null) vec[i] = filemap_page_cached(vma.vm_file, vma.vm_pgoff + (a - vma.vm_start) / PAGE_SIZE) ? 1 : 0;
  }
  return vec;
}

/** mincore(start, len, vec): 0 or -errno. */
export const sys_mincore = kfunc('mm/mincore.c', function* sys_mincore(start: number, len: number, vec: number): KGen<number> {
  const mm = current().mm!;
  klocals({ start: '0x' + start.toString(16), len });
  if (start % PAGE_SIZE !== 0) return -EINVAL;
  if (!access_ok(start, len)) return -ENOMEM;
  let pages = Math.ceil(len / PAGE_SIZE);
  if (!access_ok(vec, pages)) return -EFAULT;
  while (pages > 0) {
    const vma = vma_lookup(mm, start);
    if (vma === null) return -ENOMEM;
    const part = do_mincore(vma, start, Math.min(pages, PAGE_SIZE));
    if ((yield* copy_to_user(vec, part)) !== 0) return -EFAULT;
    pages -= part.length;
    vec += part.length;
    start += part.length * PAGE_SIZE;
  }
  return 0;
});
