/**
 * The OOM killer's choice: oom_badness (rss + page tables, shifted by oom_score_adj; init,
 * kernel threads and oom_score_adj -1000 never chosen) and /proc/<pid>/oom_score.
 */
import assert from 'node:assert/strict';
import { vm_mmap } from '../../src/kernel/mm/mmap';
import { oom_badness, oom_score } from '../../src/kernel/mm/oom_kill';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../src/kernel/mm/vm_flags';
import { PF_KTHREAD } from '../../src/kernel/task';
import { machine, PAGE, run, writeByte } from './mm_machine';

describe('mm: oom_badness', function () {
  it('counts resident pages and page-table pages, shifted by oom_score_adj thousandths of RAM', function () {
    const m = machine();
    const a = run(vm_mmap(null, 0, 10 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, 0));
    for (let i = 0; i < 10; i++) writeByte(m.k, a + i * PAGE, 1);
    const total = m.k.pages.totalram_pages;
    const tables = m.mm.pgtables_bytes / PAGE;
    assert.equal(tables, 2, 'a PMD table and a PTE table');
    assert.equal(oom_badness(m.t, total), 10 + tables);
    m.t.signal!.oom_score_adj = 500;
    assert.equal(oom_badness(m.t, total), 10 + tables + 500 * Math.floor(total / 1000));
    assert.equal(oom_score(m.t), Math.trunc(((1000 + Math.trunc(((12 + 500 * Math.floor(total / 1000)) * 1000) / total)) * 2) / 3));
    m.t.signal!.oom_score_adj = -1000;
    assert.equal(oom_badness(m.t, total), null, 'oom_score_adj -1000: never');
    assert.equal(oom_score(m.t), 0);
    m.t.signal!.oom_score_adj = 0;
    m.t.flags |= PF_KTHREAD;
    assert.equal(oom_badness(m.t, total), null, 'kernel threads: never');
    m.t.flags &= ~PF_KTHREAD;
    m.t.tgid = 1;
    assert.equal(oom_badness(m.t, total), null, 'init: never');
  });
});
