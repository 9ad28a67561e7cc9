/**
 * /proc/<pid>/maps (fs/proc/task_mmu.c: show_map_vma): one line per VMA,
 * `start-end perms offset major:minor inode`, then — padded with spaces to column 73 — the file's
 * path or the mapping's name ([heap], [stack], [vdso]).
 */
import type { mm_struct, vm_area_struct } from '../../mm/mm_types';
import { VM_EXEC, VM_MAYSHARE, VM_READ, VM_WRITE } from '../../mm/vm_flags';
import { MAJOR, MINOR } from '../fs_types';

/** Where the name starts: 25 + sizeof(void *) * 6 - 1 columns, then one space. */
const NAME_COLUMN = 25 + 8 * 6 - 1;

function hex(v: number, width: number): string {
  return v.toString(16).padStart(width, '0');
}

/** The name Linux prints for a VMA (show_map_vma): the file, a special mapping's name, or what it covers. */
function vma_name(mm: mm_struct, vma: vm_area_struct): string | null {
  if (vma.vm_file !== null) return vma.vm_file.path;
  if (vma.vm_special !== null) return vma.vm_special.name;
  // vma_is_initial_heap / vma_is_initial_stack.
  if (vma.vm_start < mm.brk && vma.vm_end > mm.start_brk) return '[heap]';
  if (vma.vm_start <= mm.start_stack && vma.vm_end >= mm.start_stack) return '[stack]';
  return null;
}

/** show_map_vma: one line of the maps file. */
export function show_map_vma(mm: mm_struct, vma: vm_area_struct): string {
  const f = vma.vm_flags;
  const perms = ((f & VM_READ) !== 0 ? 'r' : '-') + ((f & VM_WRITE) !== 0 ? 'w' : '-') +
    ((f & VM_EXEC) !== 0 ? 'x' : '-') + ((f & VM_MAYSHARE) !== 0 ? 's' : 'p');
  const file = vma.vm_file;
  const pgoff = file === null ? 0 : vma.vm_pgoff * 4096;
  const dev = file === null ? 0 : file.dev;
  const line = `${hex(vma.vm_start, 8)}-${hex(vma.vm_end, 8)} ${perms} ${hex(pgoff, 8)} ` +
    `${hex(MAJOR(dev), 2)}:${hex(MINOR(dev), 2)} ${file === null ? 0 : file.ino} `;
  const name = vma_name(mm, vma);
  return name === null ? line + '\n' : `${line.padEnd(NAME_COLUMN)} ${name}\n`;
}

/** The whole maps file of an mm. */
export function show_maps(mm: mm_struct): string {
  return mm.mmap.map((vma) => show_map_vma(mm, vma)).join('');
}
