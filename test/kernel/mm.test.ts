/**
 * The memory manager driven directly: frames, VMAs (split, merge, counters), brk, mprotect,
 * munmap, mremap, faults and signals, stack growth.
 */
import assert from 'node:assert/strict';
import { PTE_W } from '../../src/cpu/sv39';
import { EEXIST, EFAULT, EINVAL, ENOMEM } from '../../src/kernel/errno';
import { do_madvise, MADV_DONTFORK, MADV_DONTNEED } from '../../src/kernel/mm/madvise';
import { do_vmi_munmap, expand_downwards, insert_vm_struct, STACK_TOP, stack_guard_gap, sys_brk, vm_brk_flags, vm_mmap } from '../../src/kernel/mm/mmap';
import { vm_area_struct } from '../../src/kernel/mm/mm_types';
import { do_mprotect_pkey } from '../../src/kernel/mm/mprotect';
import { do_mremap, MREMAP_DONTUNMAP, MREMAP_FIXED, MREMAP_MAYMOVE } from '../../src/kernel/mm/mremap';
import { PAGE_ANON, PAGE_FREE } from '../../src/kernel/mm/page_alloc';
import { pte_offset, ptep_get } from '../../src/kernel/mm/pgtable';
import { mm_snapshot } from '../../src/kernel/mm/snapshot';
import {
  MAP_ANONYMOUS, MAP_FIXED, MAP_FIXED_NOREPLACE, MAP_GROWSDOWN, MAP_NORESERVE, MAP_PRIVATE, MAP_STACK,
  PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE, VM_ACCOUNT, VM_STACK_FLAGS, VM_STACK_INCOMPLETE_SETUP,
} from '../../src/kernel/mm/vm_flags';
import { SEGV_ACCERR, SEGV_MAPERR, SIGSEGV } from '../../src/kernel/signal_types';
import { fetch, layout, machine, PAGE, readByte, run, user, writeByte } from './mm_machine';

const ANON = MAP_PRIVATE | MAP_ANONYMOUS;
const RW = PROT_READ | PROT_WRITE;

function mmapAnon(addr: number, len: number, prot = RW, flags = ANON): number {
  return run(vm_mmap(null, addr, len, prot, flags, 0));
}

describe('mm: the frame allocator', function () {
  it('hands out zeroed frames, counts them by kind, and returns 0 when memory is exhausted', function () {
    const { k } = machine(1024 * 1024);
    const p = k.pages;
    const free0 = p.nr_free_pages;
    const got: number[] = [];
    for (;;) {
      const pfn = p.alloc_page(PAGE_ANON, true);
      if (pfn === 0) break;
      got.push(pfn);
    }
    assert.equal(got.length, free0);
    assert.equal(p.nr_free_pages, 0);
    assert.equal(p.nr_kind[PAGE_ANON], free0);
    assert.ok(!got.includes(0) && !got.includes(p.zero_pfn), 'frame 0 and the zero page are never handed out');
    for (const pfn of got) p.put_page(pfn);
    assert.equal(p.nr_free_pages, free0);
    assert.equal(p.nr_kind[PAGE_FREE], free0);
  });
});

describe('mm: mmap and the VMA list', function () {
  it('gives a private writable mapping VM_ACCOUNT and counts it as data; PROT_NONE and NORESERVE are not charged', function () {
    const { mm, k } = machine();
    const a = mmapAnon(0, 3 * PAGE);
    const v = mm.mmap.find((x) => x.vm_start === a)!;
    assert.equal(v.vm_flags, 0x100073);
    assert.equal(mm.total_vm, 3);
    assert.equal(mm.data_vm, 3);
    const committed = k.pages.vm_committed_as;
    const b = mmapAnon(0, 2 * PAGE, PROT_NONE);
    assert.equal(mm.mmap.find((x) => x.vm_start === b)!.vm_flags, 0x70);
    const c = mmapAnon(0, 2 * PAGE, RW, ANON | MAP_NORESERVE);
    assert.equal(mm.mmap.find((x) => x.vm_start === c)!.vm_flags, 0x200073);
    assert.equal(k.pages.vm_committed_as, committed, 'neither was charged');
    assert.equal(mm.total_vm, 7);
    assert.equal(mm.data_vm, 5);
  });

  it('places mappings top-down below mmap_base, each new one just below the last (so they merge)', function () {
    const { mm } = machine();
    const a = mmapAnon(0, PAGE);
    const b = mmapAnon(0, PAGE);
    assert.ok(a < mm.mmap_base && a + PAGE <= mm.mmap_base);
    assert.equal(b, a - PAGE);
    assert.equal(mm.map_count, 1, 'the two adjacent anonymous mappings are one VMA');
  });

  it('takes a free hint as given, and MAP_FIXED_NOREPLACE over a mapping fails with EEXIST', function () {
    const { mm } = machine();
    const hint = 0x10000000;
    assert.equal(mmapAnon(hint, PAGE), hint);
    assert.notEqual(mmapAnon(hint, PAGE), hint, 'an occupied hint is not used');
    assert.equal(mmapAnon(hint, PAGE, RW, ANON | MAP_FIXED_NOREPLACE), -EEXIST);
    assert.equal(mmapAnon(hint + PAGE, PAGE, RW, ANON | MAP_FIXED_NOREPLACE), hint + PAGE);
    assert.deepEqual(layout(mm, hint, 2 * PAGE), ['0-2 rw-p']);
  });

  it('aligns a no-hint anonymous mapping of a multiple of 2 MiB on 2 MiB, as THP does', function () {
    machine();
    const a = mmapAnon(0, 4 * 1024 * 1024, PROT_NONE, ANON | MAP_NORESERVE);
    assert.equal(a % (2 * 1024 * 1024), 0);
  });

  it('maps MAP_FIXED at address 0 exactly there, even for a multiple of 2 MiB (the guest runs as root)', function () {
    machine();
    assert.equal(mmapAnon(0, 2 * 1024 * 1024, RW, ANON | MAP_FIXED), 0);
  });

  it('MAP_FIXED replaces what was there, splitting the VMAs it cuts', function () {
    const { mm } = machine();
    const base = 0x20000000;
    mmapAnon(base, 8 * PAGE);
    mmapAnon(base + 2 * PAGE, 2 * PAGE, PROT_READ, ANON | MAP_FIXED);
    assert.deepEqual(layout(mm, base, 8 * PAGE), ['0-2 rw-p', '2-4 r--p', '4-8 rw-p']);
    assert.equal(mm.total_vm, 8);
  });

  it('munmap punches holes, splits, and counts; unmapping nothing is fine', function () {
    const { mm } = machine();
    const base = 0x20000000;
    mmapAnon(base, 10 * PAGE);
    assert.equal(run(do_vmi_munmap(mm, base + 3 * PAGE, 2 * PAGE)), 0);
    assert.equal(run(do_vmi_munmap(mm, base + 7 * PAGE, PAGE)), 0);
    assert.deepEqual(layout(mm, base, 10 * PAGE), ['0-3 rw-p', '5-7 rw-p', '8-10 rw-p']);
    assert.equal(mm.total_vm, 7);
    assert.equal(mm.map_count, 3);
    assert.equal(run(do_vmi_munmap(mm, base + 3 * PAGE, 2 * PAGE)), 0);
    assert.equal(run(do_vmi_munmap(mm, base + 1, PAGE)), -EINVAL);
    assert.equal(run(do_vmi_munmap(mm, base, 0)), -EINVAL);
  });

  it('mprotect splits a VMA in three and merging back restores one', function () {
    const { mm } = machine();
    const base = 0x20000000;
    mmapAnon(base, 6 * PAGE);
    assert.equal(run(do_mprotect_pkey(mm, base + 2 * PAGE, 2 * PAGE, PROT_READ)), 0);
    assert.deepEqual(layout(mm, base, 6 * PAGE), ['0-2 rw-p', '2-4 r--p', '4-6 rw-p']);
    assert.equal(mm.data_vm, 4);
    assert.equal(run(do_mprotect_pkey(mm, base + 2 * PAGE, 2 * PAGE, RW)), 0);
    assert.deepEqual(layout(mm, base, 6 * PAGE), ['0-6 rw-p']);
    assert.equal(mm.data_vm, 6);
    assert.equal(mm.map_count, 1);
  });

  it('mprotect refuses holes (ENOMEM), bad addresses and bits (EINVAL), and what VM_MAY* forbids (EACCES)', function () {
    const { mm } = machine();
    const base = 0x20000000;
    mmapAnon(base, 2 * PAGE);
    mmapAnon(base + 3 * PAGE, PAGE);
    assert.equal(run(do_mprotect_pkey(mm, base, 4 * PAGE, PROT_READ)), -ENOMEM);
    assert.deepEqual(layout(mm, base, 4 * PAGE), ['0-2 r--p', '3-4 rw-p'], 'the part before the hole changed, as in Linux');
    assert.equal(run(do_mprotect_pkey(mm, base + 1, PAGE, PROT_READ)), -EINVAL);
    assert.equal(run(do_mprotect_pkey(mm, base, PAGE, 0x100)), -EINVAL);
    assert.equal(run(do_mprotect_pkey(mm, base, 0, PROT_READ)), 0);
    assert.equal(run(do_mprotect_pkey(mm, 0x30000000, PAGE, PROT_READ)), -ENOMEM);
  });

  it('mprotect PROT_WRITE charges a PROT_NONE mapping (pthread stacks get VM_ACCOUNT)', function () {
    const { mm } = machine();
    const a = mmapAnon(0, 9 * PAGE, PROT_NONE, ANON | MAP_STACK);
    assert.equal(run(do_mprotect_pkey(mm, a + PAGE, 8 * PAGE, RW)), 0);
    const [guard, stack] = mm.mmap.filter((v) => v.vm_start >= a && v.vm_end <= a + 9 * PAGE);
    assert.equal(guard.vm_flags, 0x40000070, 'the guard page: VM_MAY* and VM_NOHUGEPAGE');
    assert.equal(stack.vm_flags, 0x40100073);
  });

  it('madvise(MADV_DONTFORK) splits like mprotect; a hole makes it ENOMEM after applying the rest', function () {
    const { mm } = machine();
    const base = 0x20000000;
    mmapAnon(base, 4 * PAGE);
    assert.equal(run(do_madvise(mm, base + PAGE, PAGE, MADV_DONTFORK)), 0);
    assert.equal(mm.map_count, 3);
    assert.equal(run(do_madvise(mm, base, 8 * PAGE, MADV_DONTNEED)), -ENOMEM);
    assert.equal(run(do_madvise(mm, base, PAGE, 99)), -EINVAL);
  });
});

describe('mm: brk', function () {
  function withHeap() {
    const m = machine();
    m.mm.start_brk = m.mm.brk = 0x400000;
    m.mm.start_data = m.mm.end_data = 0x3ff000;
    return m;
  }

  it('grows into one [heap] VMA, shrinks back, and refuses to go below start_brk', function () {
    const { mm } = withHeap();
    assert.equal(run(sys_brk(0)), 0x400000, 'brk(0) reports the break');
    assert.equal(run(sys_brk(0x401000)), 0x401000);
    assert.equal(run(sys_brk(0x403800)), 0x403800);
    assert.deepEqual(layout(mm, 0x400000, 8 * PAGE), ['0-4 rw-p']);
    assert.equal(mm.mmap[0].vm_flags, 0x100073);
    assert.equal(mm.data_vm, 4);
    assert.equal(run(sys_brk(0x401000)), 0x401000);
    assert.deepEqual(layout(mm, 0x400000, 8 * PAGE), ['0-1 rw-p']);
    assert.equal(run(sys_brk(0x3fe000)), 0x401000, 'below start_brk: the old break comes back');
    assert.equal(mm.total_vm, 1);
  });

  it('fails (returning the old break) when the heap would come within a page of the next mapping', function () {
    const { mm } = withHeap();
    mmapAnon(0x410000, PAGE, RW, ANON | MAP_FIXED);
    assert.equal(run(sys_brk(0x40f000)), 0x40f000, 'one free page below the mapping is kept');
    assert.equal(run(sys_brk(0x410000)), 0x40f000);
    assert.equal(mm.brk, 0x40f000);
  });

  it('keeps the stack guard gap free below a stack', function () {
    const { mm } = withHeap();
    const stack = new vm_area_struct(mm, 0x600000, 0x601000, VM_STACK_FLAGS);
    assert.equal(insert_vm_struct(mm, stack), 0);
    assert.equal(run(sys_brk(0x600000 - stack_guard_gap - PAGE)), 0x600000 - stack_guard_gap - PAGE);
    assert.equal(run(sys_brk(0x600000 - stack_guard_gap)), 0x600000 - stack_guard_gap - PAGE);
  });

  it('vm_brk_flags takes only VM_EXEC on top of the data flags', function () {
    machine();
    assert.equal(run(vm_brk_flags(0x500000, PAGE, PROT_READ | PROT_WRITE)), -EINVAL);
    assert.equal(run(vm_brk_flags(0x500000, PAGE, 0)), 0);
  });
});

describe('mm: mremap', function () {
  it('grows in place when the space above is free, and shrinks by unmapping the tail', function () {
    const { mm } = machine();
    const base = 0x20000000;
    mmapAnon(base, 2 * PAGE);
    assert.equal(run(do_mremap(mm, base, 2 * PAGE, 4 * PAGE, 0, 0)), base);
    assert.deepEqual(layout(mm, base, 8 * PAGE), ['0-4 rw-p']);
    assert.equal(mm.total_vm, 4);
    assert.equal(run(do_mremap(mm, base, 4 * PAGE, PAGE, 0, 0)), base);
    assert.equal(mm.total_vm, 1);
  });

  it('moves the pages (not copies) with MREMAP_MAYMOVE when blocked, and fails without it', function () {
    const { mm, k } = machine();
    const base = 0x20000000;
    mmapAnon(base, 2 * PAGE);
    mmapAnon(base + 2 * PAGE, PAGE, PROT_READ, ANON | MAP_FIXED);
    writeByte(k, base + PAGE, 42);
    const pfn = ptep_get(pte_offset(mm, base + PAGE)) >>> 10;
    assert.equal(run(do_mremap(mm, base, 2 * PAGE, 4 * PAGE, 0, 0)), -ENOMEM);
    const to = run(do_mremap(mm, base, 2 * PAGE, 4 * PAGE, MREMAP_MAYMOVE, 0));
    assert.ok(to > 0 && to !== base);
    assert.equal(ptep_get(pte_offset(mm, to + PAGE)) >>> 10, pfn, 'the same frame, now at the new address');
    assert.equal(readByte(k, to + PAGE), 42);
    assert.deepEqual(layout(mm, base, 3 * PAGE), ['2-3 r--p'], 'the old range is gone');
    assert.equal(mm.total_vm, 5);
  });

  it('MREMAP_FIXED replaces the destination; DONTUNMAP leaves the old range mapped and empty', function () {
    const { mm, k } = machine();
    const base = 0x20000000;
    mmapAnon(base, PAGE);
    writeByte(k, base, 7);
    mmapAnon(base + 16 * PAGE, PAGE, PROT_READ);
    assert.equal(run(do_mremap(mm, base, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, base + 16 * PAGE)), base + 16 * PAGE);
    assert.equal(readByte(k, base + 16 * PAGE), 7);
    assert.deepEqual(layout(mm, base, 17 * PAGE), ['16-17 rw-p']);
    const moved = run(do_mremap(mm, base + 16 * PAGE, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0));
    assert.equal(readByte(k, moved), 7);
    assert.equal(readByte(k, base + 16 * PAGE), 0, 'the old range reads zeros');
    assert.equal(run(do_mremap(mm, base + 16 * PAGE, PAGE, 2 * PAGE, MREMAP_DONTUNMAP | MREMAP_MAYMOVE, 0)), -EINVAL);
    assert.equal(run(do_mremap(mm, base + 16 * PAGE, PAGE, PAGE, MREMAP_FIXED, 0)), -EINVAL);
    assert.equal(run(do_mremap(mm, base + 5 * PAGE, PAGE, 2 * PAGE, MREMAP_MAYMOVE, 0)), -EFAULT);
    assert.equal(run(do_mremap(mm, base + 16 * PAGE, PAGE, 0, MREMAP_MAYMOVE, 0)), -EINVAL);
  });
});

describe('mm: page faults', function () {
  it('a read maps the shared zero page read-only; a write takes a fresh zeroed frame', function () {
    const { mm, k, events } = machine();
    const a = mmapAnon(0, 2 * PAGE);
    assert.equal(readByte(k, a), 0);
    const pte = ptep_get(pte_offset(mm, a));
    assert.equal(pte >>> 10, k.pages.zero_pfn);
    assert.equal(pte & PTE_W, 0);
    assert.equal(mm.rss_stat[1], 0, 'the zero page is not counted');
    writeByte(k, a, 5);
    const pfn = ptep_get(pte_offset(mm, a)) >>> 10;
    assert.notEqual(pfn, k.pages.zero_pfn);
    assert.equal(readByte(k, a), 5);
    assert.equal(readByte(k, a + 1), 0);
    assert.equal(mm.rss_stat[1], 1);
    assert.ok(events.some((e) => e.event === 'mm_page_fault' && e.fields.result === 'handled'));
    assert.ok(events.some((e) => e.event === 'cow_break' && e.fields.old_pfn === k.pages.zero_pfn));
  });

  it('SEGV_MAPERR outside every mapping, SEGV_ACCERR for a forbidden access, at the faulting address', function () {
    const { k } = machine();
    const ro = mmapAnon(0, PAGE, PROT_READ);
    const none = mmapAnon(0, PAGE, PROT_NONE);
    const sig = (r: unknown) => r as { signo: number; si_code: number; addr: bigint };
    assert.deepEqual(sig(user(k, 0x1000, false)), { signo: SIGSEGV, si_code: SEGV_MAPERR, addr: 0x1000n });
    assert.equal(sig(user(k, ro + 8, true)).si_code, SEGV_ACCERR);
    assert.equal(sig(user(k, ro + 8, true)).addr, BigInt(ro + 8));
    assert.equal(sig(user(k, none, false)).si_code, SEGV_ACCERR);
    assert.equal(sig(fetch(k, ro)).si_code, SEGV_ACCERR, 'no PROT_EXEC');
    const x = mmapAnon(0, PAGE, PROT_READ | PROT_EXEC);
    assert.equal(fetch(k, x), 0);
    assert.equal(sig(user(k, 2 ** 38 + 5, false)).si_code, SEGV_MAPERR, 'above user space');
  });

  it('grows the stack below its VMA within RLIMIT_STACK, but not past it or into the guard gap', function () {
    const { mm, k } = machine();
    const top = STACK_TOP;
    const stack = new vm_area_struct(mm, top - 4 * PAGE, top, VM_STACK_FLAGS);
    assert.equal(insert_vm_struct(mm, stack), 0);
    mm.start_stack = top - 64;
    mm.stack_vm = mm.total_vm += 4;
    writeByte(k, top - 100 * PAGE, 1);
    assert.equal(stack.vm_start, top - 100 * PAGE);
    assert.equal(mm.stack_vm, 100);
    const beyond = user(k, top - 8 * 1024 * 1024 - PAGE, true, 1);
    assert.equal((beyond as { si_code: number }).si_code, SEGV_MAPERR, 'RLIMIT_STACK (8 MiB) stops it');
    // A mapping just below: the stack may not come within the guard gap of it.
    const below = mmapAnon(top - 2 * 1024 * 1024, PAGE, RW, ANON | MAP_FIXED);
    assert.equal(expand_downwards(stack, below + PAGE + stack_guard_gap - PAGE), -ENOMEM);
    assert.equal(expand_downwards(stack, below + PAGE + stack_guard_gap), 0);
  });

  it('MAP_GROWSDOWN makes a stack-like VMA that faults grow', function () {
    const { mm, k } = machine();
    const a = mmapAnon(0x30000000, 2 * PAGE, RW, ANON | MAP_GROWSDOWN | MAP_FIXED);
    writeByte(k, a - PAGE, 3);
    assert.equal(mm.mmap.find((v) => v.vm_end === a + 2 * PAGE)!.vm_start, a - PAGE);
  });
});

describe('mm: exec\'s temporary stack', function () {
  it('is one page with VM_STACK_INCOMPLETE_SETUP (0x118173), the final stack 0x100173', function () {
    const { mm } = machine();
    const v = new vm_area_struct(mm, STACK_TOP - PAGE, STACK_TOP, VM_STACK_FLAGS | VM_STACK_INCOMPLETE_SETUP);
    assert.equal(insert_vm_struct(mm, v), 0);
    assert.equal(v.vm_flags, 0x118173);
    assert.equal(VM_STACK_FLAGS, 0x100173);
    assert.equal(v.vm_pgoff, (STACK_TOP - PAGE) / PAGE);
    assert.ok((v.vm_flags & VM_ACCOUNT) !== 0);
  });
});

describe('mm: the snapshot', function () {
  it('lists VMAs with flag names and present pages with their frames', function () {
    const { mm, k } = machine();
    const a = mmapAnon(0, 2 * PAGE);
    writeByte(k, a, 1);
    const s = JSON.parse(JSON.stringify(mm_snapshot(mm)));
    const v = s.vmas.find((x: { vm_start: number }) => x.vm_start === a);
    assert.deepEqual(v.flags, ['VM_READ', 'VM_WRITE', 'VM_MAYREAD', 'VM_MAYWRITE', 'VM_MAYEXEC', 'VM_ACCOUNT']);
    assert.equal(s.pages.length, 1);
    assert.equal(s.pages[0].vaddr, a);
    assert.equal(s.pages[0].refcount, 1);
    assert.equal(s.pages[0].mapcount, 1);
    assert.equal(s.pages[0].kind, 'anon');
    assert.equal(s.rss.anon, 1);
  });
});
