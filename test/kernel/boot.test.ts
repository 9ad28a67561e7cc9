/**
 * Booting and running one program: the boot tasks Linux has (swapper, init, kthreadd and a
 * kernel thread made through kthreadd), the user's program started by init through fork + exec,
 * its exit status, and exec failures reported to the CLI.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLES, exitStatus, haveExample, runGuest } from './guest';
import { PF_KTHREAD } from '../../src/kernel/task';

describe('kernel: boot and one program', function () {
  before(function () {
    if (!haveExample('hello')) this.skip();
  });

  it('boots swapper (0), init (1), kthreadd (2) and oom_reaper as kthreadd\'s child', function () {
    const r = runGuest('./hello', [], { maxInsns: 1 });
    const byPid = new Map(r.kernel.tasks.map((t) => [t.pid, t]));
    assert.equal(byPid.get(0)?.comm, 'swapper/0');
    assert.equal(byPid.get(1)?.comm, 'init');
    assert.equal(byPid.get(2)?.comm, 'kthreadd');
    const reaper = r.kernel.tasks.find((t) => t.comm === 'oom_reaper');
    assert.ok(reaper, 'oom_reaper exists');
    assert.equal(reaper.real_parent?.pid, 2);
    assert.ok((reaper.flags & PF_KTHREAD) !== 0);
    assert.equal(reaper.mm, null);
    assert.equal((byPid.get(1)!.flags & PF_KTHREAD), 0, 'init is not a kernel thread');
  });

  it('runs hello: init forks, the child execs, prints, exits 0 and is reaped', function () {
    const r = runGuest('./hello');
    assert.equal(r.console.stdout, 'Hello from a RISC-V guest!\n');
    assert.equal(exitStatus(r), 0);
    assert.equal(r.last.kind, 'exited');
    const program = r.result.pid;
    assert.ok(program > 2, 'the program is not one of the boot tasks');
    const fork = r.events.find((e) => e.event === 'sched_process_fork' && e.fields.child_pid === program);
    assert.equal(fork?.pid, 1, 'init forked the program');
    assert.ok(r.events.some((e) => e.event === 'sched_process_exec' && e.pid === program));
    assert.ok(r.events.some((e) => e.event === 'sched_process_free' && e.pid === program), 'init reaped it');
  });

  it('reports a missing program as ENOENT (the CLI exits 127)', function () {
    const r = runGuest('./no-such-program');
    assert.equal(r.result.exec_errno, 2);
    assert.equal(exitStatus(r), 127);
  });

  it('refuses an executable file that is no program with ENOEXEC, and a non-executable one with EACCES', function () {
    const root = mkdtempSync(join(tmpdir(), 'forkscope-boot-'));
    try {
      writeFileSync(join(root, 'notes'), 'just text\n', { mode: 0o755 });
      writeFileSync(join(root, 'data'), 'just text\n', { mode: 0o644 });
      const noexec = runGuest('./notes', [], { root });
      assert.equal(noexec.result.exec_errno, 8);
      assert.equal(exitStatus(noexec), 126);
      const acces = runGuest('./data', [], { root });
      assert.equal(acces.result.exec_errno, 13);
      assert.equal(exitStatus(acces), 126);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('refuses a malformed ELF with one sentence naming what is wrong', function () {
    const root = mkdtempSync(join(tmpdir(), 'forkscope-boot-'));
    try {
      const elf = readFileSync(join(EXAMPLES, 'hello'));
      writeFileSync(join(root, 'cut'), elf.subarray(0, 100), { mode: 0o755 });
      const r = runGuest('./cut', [], { root });
      assert.equal(r.result.exec_errno, 8);
      assert.match(r.result.exec_message ?? '', /^\.\/cut: .*truncated/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
