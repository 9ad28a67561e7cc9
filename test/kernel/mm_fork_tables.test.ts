/**
 * copy_page_range and zap_pte_range go a whole PTE table at a time (mm/memory.ts): mappings that
 * cross a table's edge and the 1 GiB edge of a root entry, neighbours in one table with
 * different flags, the zero page, holes and empty tables must come out as they do page by page.
 */
import assert from 'node:assert/strict';
import { PTE_A, PTE_COW, PTE_V, PTE_W } from '../../src/cpu/sv39';
import { set_current } from '../../src/kernel/kfunc';
import { dup_mm, mmput } from '../../src/kernel/mm/fork';
import { do_madvise, MADV_DONTNEED } from '../../src/kernel/mm/madvise';
import { vm_mmap } from '../../src/kernel/mm/mmap';
import { MM_ANONPAGES, MM_FILEPAGES, type MappedFile, type mm_struct } from '../../src/kernel/mm/mm_types';
import { pte_offset, ptep_get } from '../../src/kernel/mm/pgtable';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../src/kernel/mm/vm_flags';
import { machine, makeTask, PAGE, readByte, run, writeByte } from './mm_machine';

function pte(mm: mm_struct, addr: number): number {
  const p = pte_offset(mm, addr);
  return p < 0 ? 0 : ptep_get(p);
}

describe('mm: fork and exit across page-table edges', function () {
  it('copies each present PTE once, right, and gives every frame back at exit', function () {
    const m = machine();
    const GiB = 1 << 30;
    // A: pages -3..2 around 1 GiB, private and writable. B: the next two pages, read-only, in
    // the same PTE table as A's upper half.
    const a = run(vm_mmap(null, GiB - 3 * PAGE, 6 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0));
    const b = run(vm_mmap(null, GiB + 3 * PAGE, 2 * PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0));
    assert.deepEqual([a, b], [GiB - 3 * PAGE, GiB + 3 * PAGE]);
    const page = (i: number) => GiB + i * PAGE;
    const written = [-3, -1, 0, 2];
    for (const i of written) writeByte(m.k, page(i), 10 + i);
    readByte(m.k, page(-2));
    readByte(m.k, page(3));
    // C: a 2 MiB of its own, written and then emptied by MADV_DONTNEED, which keeps its table.
    const empty = run(vm_mmap(null, 2 * GiB, 512 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0));
    writeByte(m.k, empty, 1);
    assert.equal(run(do_madvise(m.mm, empty, PAGE, MADV_DONTNEED)), 0);
    assert.ok(pte_offset(m.mm, empty) >= 0);
    const zero = m.k.pages.zero_pfn;
    const zeroRefs = m.k.pages._refcount[zero];
    const free = m.k.pages.nr_free_pages;

    const child = makeTask(m.t.pid + 1);
    set_current(m.t);
    const mm = run(dup_mm(child, m.mm))!;
    for (const i of written) {
      const pfn = pte(m.mm, page(i)) >>> 10;
      for (const p of [pte(m.mm, page(i)), pte(mm, page(i))]) {
        assert.equal(p >>> 10, pfn, `page ${i}: one frame`);
        assert.equal(p & (PTE_V | PTE_W | PTE_COW), PTE_V | PTE_COW, `page ${i}: read-only, copy-on-write`);
      }
      assert.equal(pte(mm, page(i)) & PTE_A, 0, `page ${i}: old in the child`);
      assert.equal(m.k.pages._refcount[pfn], 2);
      assert.equal(m.k.pages._mapcount[pfn], 2);
    }
    assert.equal(pte(mm, page(-2)) >>> 10, zero, 'the zero page is copied as it is');
    assert.equal(pte(mm, page(-2)) & (PTE_W | PTE_COW), 0);
    assert.equal(m.k.pages._refcount[zero], zeroRefs, 'and gains no reference');
    assert.equal(pte(mm, page(1)), 0, 'a hole stays a hole');
    assert.equal(pte(mm, page(3)), 0, 'B has no anonymous pages: the child refaults it');
    assert.equal(mm.rss_stat[MM_ANONPAGES], written.length);
    assert.equal(mm.rss_stat[MM_ANONPAGES], m.mm.rss_stat[MM_ANONPAGES]);
    assert.equal(mm.pgtables_bytes, m.mm.pgtables_bytes - 2 * PAGE, 'no PTE table (nor the middle one above it) for C');
    assert.ok(pte_offset(mm, empty) < 0);

    mmput(mm);
    for (const i of written) assert.equal(m.k.pages._refcount[pte(m.mm, page(i)) >>> 10], 1, `page ${i}: the parent's alone again`);
    assert.equal(m.k.pages.nr_free_pages, free, 'the child\'s page tables are all back');
  });

  it('counts the page-cache pages of a private file mapping as file pages, shared read-only without PTE_COW', function () {
    const m = machine();
    const file: MappedFile = {
      path: '/data', dev: 0x801, ino: 7, size: () => 2 * PAGE, writeAt: () => undefined,
      readAt: (dst) => dst.fill(5).length,
    };
    const f = run(vm_mmap(file, 3 * (1 << 30), 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED, 0));
    assert.equal(readByte(m.k, f), 5);
    writeByte(m.k, f + PAGE, 6);
    const child = makeTask(m.t.pid + 1);
    set_current(m.t);
    const mm = run(dup_mm(child, m.mm))!;
    assert.deepEqual([mm.rss_stat[MM_FILEPAGES], mm.rss_stat[MM_ANONPAGES]], [1, 1]);
    const cached = pte(m.mm, f) >>> 10;
    assert.equal(pte(mm, f) >>> 10, cached);
    assert.equal(pte(mm, f) & (PTE_W | PTE_COW), 0);
    assert.equal(m.k.pages._mapcount[cached], 2);
    assert.ok((pte(mm, f + PAGE) & PTE_COW) !== 0, 'the written page is anonymous now');
    mmput(mm);
    assert.equal(m.k.pages._mapcount[cached], 1);
  });
});
