/**
 * /proc/meminfo (fs/proc/meminfo.c): the machine's memory from the page allocator's counters, in
 * Linux's layout (a 16-column label, the value in kB right-aligned in 8 columns). There is no
 * swap, no slab and no huge pages.
 */
import { kernel } from '../../kfunc';
import { PAGE_ANON, PAGE_FILE, PAGE_PGTABLE, PAGE_SHMEM } from '../../mm/page_alloc';

/** Kernel stack per task (THREAD_SIZE on riscv64). */
const THREAD_SIZE = 16 * 1024;

function show_val_kb(label: string, pages: number): string {
  return `${(label + ':').padEnd(16)}${String(pages * 4).padStart(8)} kB\n`;
}

export function meminfo_proc_show(): string {
  const k = kernel();
  const p = k.pages;
  const total = p.totalram_pages;
  const free = p.nr_free_pages;
  const file = p.nr_kind[PAGE_FILE];
  const shmem = p.nr_kind[PAGE_SHMEM];
  const anon = p.nr_kind[PAGE_ANON];
  const rows: [string, number][] = [
    ['MemTotal', total], ['MemFree', free], ['MemAvailable', free + file], ['Buffers', 0],
    ['Cached', file + shmem], ['SwapCached', 0], ['Active', anon + file], ['Inactive', 0],
    ['Active(anon)', anon], ['Inactive(anon)', 0], ['Active(file)', file], ['Inactive(file)', 0],
    ['Unevictable', 0], ['Mlocked', 0], ['SwapTotal', 0], ['SwapFree', 0], ['Dirty', 0],
    ['Writeback', 0], ['AnonPages', anon], ['Mapped', p.nr_file_mapped], ['Shmem', shmem],
    ['KReclaimable', 0], ['Slab', 0], ['SReclaimable', 0], ['SUnreclaim', 0],
    ['KernelStack', (k.tasks.length * THREAD_SIZE) / 4096], ['PageTables', p.nr_kind[PAGE_PGTABLE]],
    ['CommitLimit', Math.floor(total / 2)], ['Committed_AS', p.vm_committed_as],
  ];
  return rows.map(([l, v]) => show_val_kb(l, v)).join('');
}
