/**
 * Kernel paths that stop and sleep (design.md, decision 1): the machine halts inside a named
 * kernel function and resumes; a task's kernel call stack — Linux names, our source file and line,
 * interesting locals — is readable from the snapshot, for running and for sleeping tasks alike.
 */
import assert from 'node:assert/strict';
import { DEFAULT_ENV } from '../../src/debugger/config';
import { start_kernel } from '../../src/kernel/init/main';
import { Kernel } from '../../src/kernel/kernel';
import { set_kernel_probe } from '../../src/kernel/kfunc';
import { snapshot, task_snapshot } from '../../src/kernel/snapshot';
import { EXIT_ZOMBIE } from '../../src/kernel/task';
import { EXAMPLES, haveExample, RecordingConsole } from './guest';

function boot(program: string): { k: Kernel; console: RecordingConsole } {
  const console = new RecordingConsole();
  const k = new Kernel({ memBytes: 128 * 1024 * 1024, seed: 0, root: EXAMPLES, console });
  k.captureKernelLines = true;
  start_kernel(k, { filename: program, argv: [program], envp: DEFAULT_ENV });
  return { k, console };
}

describe('kernel: stopping inside the kernel, and kernel stacks', function () {
  before(function () {
    if (!haveExample('fork-wait') || !haveExample('zombie')) this.skip();
  });
  afterEach(() => set_kernel_probe(null));

  it('stops in copy_process under kernel_clone with clone_flags decoded, and resumes to the same end', function () {
    const { k, console } = boot('./fork-wait');
    let stops = 0;
    // The first fork of the program (kthreadd forks kernel threads through copy_process too).
    set_kernel_probe({ onEnter: (t, f) => (f.fn === 'copy_process' && t.comm === 'fork-wait' && stops === 0 ? { kind: 'stop', reason: f.fn } : null) });
    let r = k.run(500_000_000);
    assert.equal(r.kind, 'stop');
    stops++;
    const me = task_snapshot(k.rq.curr!);
    const names = me.kernel_stack.map((f) => f.function);
    assert.deepEqual(names.slice(0, 2), ['copy_process', 'kernel_clone']);
    assert.ok(names.includes('do_trap_ecall_u'), names.join(' < '));
    const cp = me.kernel_stack[0];
    assert.equal(cp.linux_file, 'kernel/fork.c');
    assert.match(cp.source ?? '', /^src\/kernel\/fork\.ts:\d+$/);
    // Stopped at its entry, copy_process points at its definition; kernel_clone, its caller, at the call.
    const kc = me.kernel_stack[1];
    assert.match(kc.source ?? '', /^src\/kernel\/fork\.ts:\d+$/);
    assert.notEqual(kc.source, cp.source);
    assert.equal((kc.locals as Record<string, unknown>).clone_flags, 'CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD');
    // Resuming runs the program to the same end as without the stop.
    do r = k.run(500_000_000); while (r.kind === 'budget');
    assert.equal(r.kind, 'exited');
    assert.match(console.stdout, /parent: child: exited, status 42/);
  });

  it('shows where sleeping tasks sleep: init in do_wait, kthreadd waiting for work', function () {
    const { k } = boot('./zombie');
    set_kernel_probe({ onEnter: (t, f) => (f.fn === 'do_wait' && t.comm === 'zombie' ? { kind: 'stop', reason: f.fn } : null) });
    assert.equal(k.run(500_000_000).kind, 'stop');
    const snap = snapshot(k);
    const init = snap.tasks.find((t) => t.pid === 1)!;
    assert.equal(init.state, 'TASK_INTERRUPTIBLE');
    assert.ok(init.kernel_stack.some((f) => f.function === 'do_wait' && /^src\/kernel\/exit\.ts:\d+$/.test(f.source ?? '')), JSON.stringify(init.kernel_stack));
    const kthreadd = snap.tasks.find((t) => t.pid === 2)!;
    assert.ok(kthreadd.kernel_stack.some((f) => f.function === 'kthreadd'));
    assert.equal(kthreadd.flags.includes('PF_KTHREAD'), true);
    assert.equal(kthreadd.mm, null);
  });

  it('keeps an exited child as a zombie (EXIT_ZOMBIE) until its parent waits', function () {
    const { k } = boot('./zombie');
    // Stop when the parent finally calls waitpid: its child has been a zombie all along.
    set_kernel_probe({ onEnter: (t, f) => (f.fn === 'do_wait' && t.comm === 'zombie' ? { kind: 'stop', reason: f.fn } : null) });
    assert.equal(k.run(500_000_000).kind, 'stop');
    const zombie = k.tasks.find((t) => t.exit_state === EXIT_ZOMBIE && t.comm === 'zombie');
    assert.ok(zombie, 'a zombie exists');
    const snap = task_snapshot(zombie);
    assert.equal(snap.exit_state, 'EXIT_ZOMBIE');
    assert.equal(snap.state_letter, 'Z');
    assert.equal(snap.mm, null, 'a zombie has given back its memory');
    assert.ok(zombie.real_parent!.children.includes(zombie));
  });
});
