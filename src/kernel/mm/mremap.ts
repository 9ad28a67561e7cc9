/**
 * Resizing and moving mappings (mm/mremap.c). Shrinking unmaps the tail; growing extends the VMA
 * in place when the space above is free; otherwise, with MREMAP_MAYMOVE, the mapping moves —
 * a new VMA, and the page tables carried over (move_page_tables), so no page is copied.
 * MREMAP_FIXED names the destination; MREMAP_DONTUNMAP leaves the old range mapped but empty.
 */
import { PAGE_SIZE } from '../../cpu/physmem';
import { EFAULT, EINVAL, ENOMEM } from '../errno';
import { kfunc, klocals, type KGen } from '../kfunc';
import {
  do_vmi_munmap, get_unmapped_area, may_expand_vm, move_page_tables, PAGE_ALIGN, security_vm_enough_memory_mm,
  TASK_SIZE, vm_stat_account, vm_unacct_memory,
} from './mmap';
import type { mm_struct, vm_area_struct } from './mm_types';
import { find_vma_intersection, sysctl_max_map_count, vm_area_dup, vma_is_anonymous, vma_link, vma_lookup, vma_merge_new_range } from './vma';
import { MAP_FIXED, MAP_SHARED, VM_ACCOUNT, VM_DONTEXPAND, VM_LOCKED_MASK, VM_MAYSHARE, VM_PFNMAP, VM_SHARED } from './vm_flags';

export const MREMAP_MAYMOVE = 1;
export const MREMAP_FIXED = 2;
export const MREMAP_DONTUNMAP = 4;

/**
 * vma_to_resize: the VMA at `addr`, if [addr, addr+old_len) may become new_len bytes: inside one
 * VMA (EFAULT otherwise), not a special mapping, within the address-space limits.
 */
function vma_to_resize(mm: mm_struct, addr: number, old_len: number, new_len: number, flags: number): vm_area_struct | number {
  const vma = vma_lookup(mm, addr);
  if (vma === null) return -EFAULT;
  // Duplicating a private mapping (old_len 0) would make a fresh one unrelated to it.
  if (old_len === 0 && (vma.vm_flags & (VM_SHARED | VM_MAYSHARE)) === 0) return -EINVAL;
  if ((flags & MREMAP_DONTUNMAP) !== 0 && (vma.vm_flags & (VM_DONTEXPAND | VM_PFNMAP)) !== 0) return -EINVAL;
  if (old_len > vma.vm_end - addr) return -EFAULT;
  if (new_len === old_len) return vma;
  if ((vma.vm_flags & (VM_DONTEXPAND | VM_PFNMAP)) !== 0) return -EFAULT;
  if (!may_expand_vm(mm, vma.vm_flags, (new_len - old_len) / PAGE_SIZE)) return -ENOMEM;
  return vma;
}

/**
 * copy_vma: the VMA for the destination of a move, made by extending a neighbour when possible.
 * An anonymous VMA that never had a page takes the offset of its new address, so it can merge.
 */
function copy_vma(vma: vm_area_struct, addr: number, len: number, pgoff: number): vm_area_struct {
  const mm = vma.vm_mm;
  if (vma_is_anonymous(vma) && vma.anon_vma === null) pgoff = addr / PAGE_SIZE;
  const merged = vma_merge_new_range(mm, addr, addr + len, { flags: vma.vm_flags, file: vma.vm_file, pgoff, anon_vma: vma.anon_vma });
  if (merged !== null) return merged;
  const n = vm_area_dup(vma);
  n.vm_start = addr;
  n.vm_end = addr + len;
  n.vm_pgoff = pgoff;
  vma_link(n);
  return n;
}

/**
 * move_vma: moves [old_addr, old_addr+old_len) of `vma` to new_addr as a mapping of new_len
 * bytes. The old range is unmapped afterwards (but its commit charge carried over), unless
 * MREMAP_DONTUNMAP keeps it as an empty mapping.
 */
function* move_vma(vma: vm_area_struct, old_addr: number, old_len: number, new_len: number, new_addr: number, flags: number): KGen<number> {
  const mm = vma.vm_mm;
  if (mm.map_count >= sysctl_max_map_count - 3) return -ENOMEM;
  const vm_flags = vma.vm_flags;
  const dontunmap = (flags & MREMAP_DONTUNMAP) !== 0;
  const to_account = dontunmap ? new_len : new_len - old_len;
  if ((vm_flags & VM_ACCOUNT) !== 0 && security_vm_enough_memory_mm(to_account / PAGE_SIZE) < 0) return -ENOMEM;
  const new_pgoff = vma.vm_pgoff + (old_addr - vma.vm_start) / PAGE_SIZE;
  copy_vma(vma, new_addr, new_len, new_pgoff);
  if (move_page_tables(mm, old_addr, new_addr, old_len) < old_len) {
    // Put back what moved, and drop the new mapping instead of the old.
    move_page_tables(mm, new_addr, old_addr, old_len);
    yield* do_vmi_munmap(mm, new_addr, new_len);
    return -ENOMEM;
  }
  // The old range's charge now belongs to the new mapping: hide VM_ACCOUNT from the munmap.
  let account_start = false, account_end = false;
  if ((vm_flags & VM_ACCOUNT) !== 0 && !dontunmap) {
    vma.vm_flags &= ~VM_ACCOUNT;
    account_start = vma.vm_start < old_addr;
    account_end = vma.vm_end > old_addr + old_len;
  }
  const hiwater_vm = mm.hiwater_vm;
  vm_stat_account(mm, vma.vm_flags, new_len / PAGE_SIZE);
  if (dontunmap) {
    vma.vm_flags &= ~VM_LOCKED_MASK;
    // Its pages went with the page tables: an old range that is a whole VMA starts afresh.
    if (vma.vm_start === old_addr && vma.vm_end === old_addr + old_len) vma.anon_vma = null;
    return new_addr;
  }
  yield* do_vmi_munmap(mm, old_addr, old_len);
  mm.hiwater_vm = hiwater_vm;
  if (account_start) vma_lookup(mm, old_addr - 1)!.vm_flags |= VM_ACCOUNT;
  if (account_end) vma_lookup(mm, old_addr + old_len)!.vm_flags |= VM_ACCOUNT;
  return new_addr;
}

/** mremap_to: MREMAP_FIXED or MREMAP_DONTUNMAP — a move to (or near) new_addr. */
function* mremap_to(mm: mm_struct, addr: number, old_len: number, new_addr: number, new_len: number, flags: number): KGen<number> {
  if (new_addr % PAGE_SIZE !== 0) return -EINVAL;
  if (new_len > TASK_SIZE || new_addr > TASK_SIZE - new_len) return -EINVAL;
  if (addr + old_len > new_addr && new_addr + new_len > addr) return -EINVAL;
  if (mm.map_count + 2 >= sysctl_max_map_count - 3) return -ENOMEM;
  if ((flags & MREMAP_FIXED) !== 0) {
    const r = yield* do_vmi_munmap(mm, new_addr, new_len);
    if (r < 0) return r;
  }
  if (old_len > new_len) {
    const r = yield* do_vmi_munmap(mm, addr + new_len, old_len - new_len);
    if (r < 0) return r;
    old_len = new_len;
  }
  const vma = vma_to_resize(mm, addr, old_len, new_len, flags);
  if (typeof vma === 'number') return vma;
  if ((flags & MREMAP_DONTUNMAP) !== 0 && !may_expand_vm(mm, vma.vm_flags, old_len / PAGE_SIZE)) return -ENOMEM;
  const map_flags = ((flags & MREMAP_FIXED) !== 0 ? MAP_FIXED : 0) | ((vma.vm_flags & VM_MAYSHARE) !== 0 ? MAP_SHARED : 0);
  const ret = get_unmapped_area(vma.vm_file, new_addr, new_len, map_flags);
  if (ret < 0) return ret;
  return yield* move_vma(vma, addr, old_len, new_len, (flags & MREMAP_FIXED) !== 0 ? new_addr : ret, flags);
}

/** vma_expandable: is the space just above `vma` free for `delta` more bytes? */
function vma_expandable(vma: vm_area_struct, delta: number): boolean {
  const end = vma.vm_end + delta;
  if (find_vma_intersection(vma.vm_mm, vma.vm_end, end) !== null) return false;
  return get_unmapped_area(null, vma.vm_start, end - vma.vm_start, MAP_FIXED) >= 0;
}

/** mremap(addr, old_len, new_len, flags, new_addr): the new address of the mapping, or -errno. */
export const do_mremap = kfunc('mm/mremap.c', function* do_mremap(mm: mm_struct, addr: number, old_len: number, new_len: number,
  flags: number, new_addr: number): KGen<number> {
  klocals({ addr: '0x' + addr.toString(16), old_len, new_len, flags });
  if ((flags & ~(MREMAP_FIXED | MREMAP_MAYMOVE | MREMAP_DONTUNMAP)) !== 0) return -EINVAL;
  if ((flags & MREMAP_FIXED) !== 0 && (flags & MREMAP_MAYMOVE) === 0) return -EINVAL;
  // MREMAP_DONTUNMAP is always a move, and never a resize.
  if ((flags & MREMAP_DONTUNMAP) !== 0 && ((flags & MREMAP_MAYMOVE) === 0 || old_len !== new_len)) return -EINVAL;
  if (addr % PAGE_SIZE !== 0) return -EINVAL;
  old_len = PAGE_ALIGN(old_len);
  new_len = PAGE_ALIGN(new_len);
  if (new_len === 0) return -EINVAL;
  let vma = vma_lookup(mm, addr);
  if (vma === null) return -EFAULT;
  if ((flags & (MREMAP_FIXED | MREMAP_DONTUNMAP)) !== 0) return yield* mremap_to(mm, addr, old_len, new_addr, new_len, flags);
  // Shrinking always works: it unmaps the tail.
  if (old_len >= new_len) {
    if (old_len === new_len) return addr;
    const r = yield* do_vmi_munmap(mm, addr + new_len, old_len - new_len);
    return r < 0 ? r : addr;
  }
  const v = vma_to_resize(mm, addr, old_len, new_len, flags);
  if (typeof v === 'number') return v;
  vma = v;
  if (old_len === vma.vm_end - addr) {
    const delta = new_len - old_len;
    if (vma_expandable(vma, delta)) {
      const pages = delta / PAGE_SIZE;
      if ((vma.vm_flags & VM_ACCOUNT) !== 0 && security_vm_enough_memory_mm(pages) < 0) return -ENOMEM;
      // vma_merge_extend: grows the VMA, and joins the one above if they now touch and match.
      const grown = vma_merge_new_range(mm, vma.vm_end, vma.vm_end + delta, {
        flags: vma.vm_flags, file: vma.vm_file, anon_vma: vma.anon_vma,
        pgoff: vma.vm_pgoff + (vma.vm_end - vma.vm_start) / PAGE_SIZE,
      });
      if (grown === null) {
        if ((vma.vm_flags & VM_ACCOUNT) !== 0) vm_unacct_memory(pages);
        return -ENOMEM;
      }
      vm_stat_account(mm, grown.vm_flags, pages);
      return addr;
    }
  }
  if ((flags & MREMAP_MAYMOVE) === 0) return -ENOMEM;
  const map_flags = (vma.vm_flags & VM_MAYSHARE) !== 0 ? MAP_SHARED : 0;
  const dest = get_unmapped_area(vma.vm_file, 0, new_len, map_flags);
  if (dest < 0) return dest;
  return yield* move_vma(vma, addr, old_len, new_len, dest, flags);
});
