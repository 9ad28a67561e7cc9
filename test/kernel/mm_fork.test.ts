/**
 * fork's copy-on-write (dup_mm / copy_page_range / do_wp_page), MAP_SHARED across fork,
 * VM_DONTCOPY and VM_WIPEONFORK, and the teardown that gives every frame back.
 */
import assert from 'node:assert/strict';
import { PTE_COW, PTE_W } from '../../src/cpu/sv39';
import { set_current } from '../../src/kernel/kfunc';
import { dup_mm, mmget, mmput } from '../../src/kernel/mm/fork';
import { do_madvise, MADV_DONTFORK, MADV_WIPEONFORK } from '../../src/kernel/mm/madvise';
import { vm_mmap } from '../../src/kernel/mm/mmap';
import type { mm_struct } from '../../src/kernel/mm/mm_types';
import { pte_offset, ptep_get } from '../../src/kernel/mm/pgtable';
import { shared_frames } from '../../src/kernel/mm/snapshot';
import { MAP_ANONYMOUS, MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../src/kernel/mm/vm_flags';
import type { Task } from '../../src/kernel/task';
import { machine, makeTask, PAGE, readByte, run, type TestMachine, writeByte } from './mm_machine';

const RW = PROT_READ | PROT_WRITE;

function pte(mm: mm_struct, addr: number): number {
  const p = pte_offset(mm, addr);
  return p < 0 ? 0 : ptep_get(p);
}

/** Makes `t` the running task, with its page tables loaded (as a context switch does). */
function switchTo(m: TestMachine, t: Task): void {
  set_current(t);
  m.k.mmu.setRootTable(t.mm!.pgd);
}

function fork(m: TestMachine): Task {
  const child = makeTask(m.t.pid + 1);
  // The parent is the running task (no context switch here: its TLB stays warm).
  set_current(m.t);
  const mm = run(dup_mm(child, m.mm));
  assert.ok(mm !== null);
  child.mm = child.active_mm = mm;
  m.k.tasks.push(child);
  return child;
}

describe('mm: fork and copy-on-write', function () {
  it('write-protects a written page in both, shares the frame (refcount 2), and flushes the parent\'s TLB', function () {
    const m = machine();
    const a = run(vm_mmap(null, 0, 2 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0));
    writeByte(m.k, a, 11);
    const pfn = pte(m.mm, a) >>> 10;
    m.tlb.reset();
    const child = fork(m);
    assert.ok(m.tlb.all > 0, 'flush_tlb_mm(oldmm)');
    for (const mm of [m.mm, child.mm!]) {
      const p = pte(mm, a);
      assert.equal(p >>> 10, pfn, 'the same frame');
      assert.equal(p & PTE_W, 0, 'read-only');
      assert.ok((p & PTE_COW) !== 0, 'marked copy-on-write');
    }
    assert.equal(m.k.pages._refcount[pfn], 2);
    assert.equal(m.k.pages._mapcount[pfn], 2);
    assert.equal(child.mm!.rss_stat[1], 1);
    assert.deepEqual(shared_frames([m.mm, child.mm!]), [{ pfn, mms: [m.mm.id, child.mm!.id], cow: true }]);
    assert.equal(pte(child.mm!, a + PAGE), 0, 'an untouched page stays untouched');
  });

  it('the first writer gets a copy (two frames); the last sharer then reuses the old frame in place', function () {
    const m = machine();
    const a = run(vm_mmap(null, 0, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0));
    writeByte(m.k, a, 11);
    const pfn = pte(m.mm, a) >>> 10;
    const child = fork(m);
    const free = m.k.pages.nr_free_pages;

    switchTo(m, child);
    m.tlb.reset();
    writeByte(m.k, a, 22);
    const cpfn = pte(child.mm!, a) >>> 10;
    assert.notEqual(cpfn, pfn);
    assert.ok(m.tlb.pages.includes(a / PAGE), 'the old translation was shot down');
    assert.equal(m.k.pages.nr_free_pages, free - 1, 'exactly one new frame');
    assert.equal(m.k.pages._refcount[pfn], 1);
    assert.equal(readByte(m.k, a), 22);
    const brk = m.events.filter((e) => e.event === 'cow_break');
    assert.deepEqual(brk[brk.length - 1].fields, { address: '0x' + a.toString(16), old_pfn: pfn, new_pfn: cpfn, reuse: false });

    switchTo(m, m.t);
    assert.equal(readByte(m.k, a), 11, 'the parent still sees its value');
    writeByte(m.k, a, 33);
    assert.equal(pte(m.mm, a) >>> 10, pfn, 'reused: no copy for the last sharer');
    assert.equal(pte(m.mm, a) & PTE_COW, 0);
    assert.equal(m.k.pages.nr_free_pages, free - 1);
    switchTo(m, child);
    assert.equal(readByte(m.k, a), 22);
  });

  it('shoots down the parent\'s TLB: its next write, with no task switch between, faults and copies', function () {
    const m = machine();
    const a = run(vm_mmap(null, 0, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0));
    writeByte(m.k, a, 1);
    writeByte(m.k, a, 2);
    const child = fork(m);
    writeByte(m.k, a, 3);
    assert.notEqual(pte(m.mm, a) >>> 10, pte(child.mm!, a) >>> 10);
    switchTo(m, child);
    assert.equal(readByte(m.k, a), 2);
  });

  it('keeps MAP_SHARED memory shared: the child refaults the same page', function () {
    const m = machine();
    const a = run(vm_mmap(null, 0, PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, 0));
    assert.equal(m.mm.mmap.find((v) => v.vm_start === a)!.vm_file!.path, '/dev/zero (deleted)');
    writeByte(m.k, a, 1);
    const child = fork(m);
    switchTo(m, child);
    assert.equal(readByte(m.k, a), 1);
    writeByte(m.k, a, 2);
    switchTo(m, m.t);
    assert.equal(readByte(m.k, a), 2, 'the parent sees the child\'s write');
    assert.equal(pte(m.mm, a) >>> 10, pte(child.mm!, a) >>> 10);
    assert.equal(m.mm.rss_stat[3], 1, 'counted as shmem');
  });

  it('leaves out VM_DONTCOPY mappings and gives VM_WIPEONFORK ones a clean slate', function () {
    const m = machine();
    const a = run(vm_mmap(null, 0x20000000, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0));
    const b = run(vm_mmap(null, 0x20010000, PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0));
    writeByte(m.k, a, 1);
    writeByte(m.k, b, 1);
    assert.equal(run(do_madvise(m.mm, a, PAGE, MADV_DONTFORK)), 0);
    assert.equal(run(do_madvise(m.mm, b, PAGE, MADV_WIPEONFORK)), 0);
    const child = fork(m);
    assert.equal(child.mm!.mmap.some((v) => v.vm_start === a), false);
    assert.equal(child.mm!.total_vm, m.mm.total_vm - 1);
    switchTo(m, child);
    assert.equal(readByte(m.k, b), 0, 'wiped');
    switchTo(m, m.t);
    assert.equal(readByte(m.k, b), 1);
  });

  it('returns every frame to the pool when the last user puts each mm', function () {
    const m = machine();
    const free0 = m.k.pages.nr_free_pages;
    const a = run(vm_mmap(null, 0, 64 * PAGE, RW, MAP_PRIVATE | MAP_ANONYMOUS, 0));
    const s = run(vm_mmap(null, 0, 4 * PAGE, RW, MAP_SHARED | MAP_ANONYMOUS, 0));
    for (let i = 0; i < 64; i++) writeByte(m.k, a + i * PAGE, i);
    for (let i = 0; i < 4; i++) writeByte(m.k, s + i * PAGE, i);
    const child = fork(m);
    switchTo(m, child);
    for (let i = 0; i < 64; i += 2) writeByte(m.k, a + i * PAGE, 100);
    mmget(child.mm!);
    mmput(child.mm!);
    assert.ok(child.mm!.pgd !== 0, 'one user left: nothing freed');
    mmput(child.mm!);
    switchTo(m, m.t);
    assert.equal(readByte(m.k, a + 2 * PAGE), 2);
    mmput(m.mm);
    assert.equal(m.k.pages.nr_free_pages, free0 + 1, 'every frame is back (the root table too)');
    assert.equal(m.mm.pgd, 0);
    assert.equal(m.k.pages.page_cache.size, 0, 'the shmem cache went with its last mapping');
    assert.equal(m.k.pages.vm_committed_as, 0);
  });
});
