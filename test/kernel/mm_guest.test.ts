/**
 * Real RISC-V programs on the emulated kernel: memory behaviour a program can observe
 * (copy-on-write both ways, MAP_SHARED across fork, holes, mprotect, brk, a deep recursion,
 * mremap, MADV_DONTNEED, SIGBUS past a shared mapping's size) compared with the same C program
 * built for the host and run on real Linux — qemu-user is not Linux for brk, so it is not the
 * reference here; and memory hogs that fork, which the OOM killer must stop without touching
 * their parent. After each run every user frame is back in the pool.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PAGE_ANON, PAGE_FILE, PAGE_PGTABLE, PAGE_SHMEM } from '../../src/kernel/mm/page_alloc';
import { exitStatus, type GuestRun, haveExample, runGuest } from './guest';
import { GCC, requireTool } from '../tools';

function assertAllFramesBack(r: GuestRun): void {
  const p = r.kernel.pages;
  assert.deepEqual([p.nr_kind[PAGE_ANON], p.nr_kind[PAGE_FILE], p.nr_kind[PAGE_SHMEM], p.nr_kind[PAGE_PGTABLE]], [0, 0, 0, 0]);
  assert.equal(p.page_cache.size, 0);
  assert.equal(p.vm_committed_as, 0);
}

describe('mm: guest programs', function () {
  let dir: string;
  before(function () {
    requireTool(this, GCC);
    dir = mkdtempSync(join(tmpdir(), 'mm-guest-'));
    for (const name of ['mm_guest', 'mm_hogs']) {
      execFileSync(GCC, ['-O1', '-static', '-o', join(dir, name), join(__dirname, 'fixtures', `${name}.c`)]);
    }
  });

  it('behave as on Linux: COW, MAP_SHARED, holes, mprotect, brk, stack growth, mremap, DONTNEED', function () {
    requireTool(this, 'gcc');
    execFileSync('gcc', ['-O1', '-static', '-o', join(dir, 'mm_native'), join(__dirname, 'fixtures', 'mm_guest.c')]);
    const linux = execFileSync(join(dir, 'mm_native')).toString();
    const r = runGuest('./mm_guest', [], { root: dir, memBytes: 64 * 1024 * 1024 });
    assert.equal(r.console.stdout, linux);
    assert.equal(exitStatus(r), 0);
    assert.ok(r.events.some((e) => e.event === 'cow_break'));
    assertAllFramesBack(r);
  });

  it('free the old mm at every exec: a chain of execs and vfork+exec leaves no frame behind', function () {
    for (const prog of ['exec-chain', 'vfork-exec']) {
      if (!haveExample(prog)) this.skip();
      const r = runGuest(`./${prog}`, [], { memBytes: 64 * 1024 * 1024 });
      assert.equal(exitStatus(r), 0, prog);
      assert.ok(r.events.filter((e) => e.event === 'sched_process_exec').length >= 2, `${prog} execs more than once`);
      assertAllFramesBack(r);
    }
  });

  it('kill memory hogs that fork with the OOM killer, one at a time, and spare their parent', function () {
    const r = runGuest('./mm_hogs', [], { root: dir, memBytes: 32 * 1024 * 1024 });
    assert.equal(r.console.stdout, 'children killed by SIGKILL: 3\n');
    assert.equal(exitStatus(r), 0);
    const kills = r.events.filter((e) => e.event === 'oom_kill');
    assert.equal(kills.length, 3);
    const lines = r.kernel.log.map((l) => l.text);
    const killed = lines.filter((l) => /^Out of memory: Killed process \d+ \(mm_hogs\) total-vm:\d+kB, anon-rss:\d+kB, file-rss:\d+kB, shmem-rss:0kB, UID:0 pgtables:\d+kB oom_score_adj:0$/.test(l));
    assert.equal(killed.length, 3, lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('mm_hogs invoked oom-killer: gfp_mask=0x140dca')));
    assertAllFramesBack(r);
  });
});
