/**
 * The course quiz (seeds/000, Q1–Q3) answered by debugging vfork-exec over DAP with kernel
 * breakpoints: the parent sleeps in wait_for_vfork_done under kernel_clone while its child
 * builds a temporary mm in bprm_mm_init, replaces the shared mm in exec_mmap — whose
 * mm_release → complete_vfork_done wakes the parent — and finishes its stack in
 * setup_arg_pages, where the stack VMA is still flagged VM_STACK_INCOMPLETE_SETUP.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { children, EXAMPLES, haveExample, launch, scopeVariables, startClient, stopped, topFrames } from './client';

describe('adapter: the vfork + exec quiz over DAP', function () {
  let dc: DebugClient;

  before(function () {
    if (!haveExample('vfork-exec') || !haveExample('hello')) this.skip();
  });

  beforeEach(async () => {
    dc = await startClient();
  });

  afterEach(async () => {
    await dc.stop();
  });

  /** Continues to the next stop; returns it with the stopped task's frames. */
  async function next(pid: number): Promise<{ e: DebugProtocol.StoppedEvent; frames: DebugProtocol.StackFrame[] }> {
    const s = stopped(dc);
    await dc.continueRequest({ threadId: pid });
    const e = await s;
    return { e, frames: await topFrames(dc, e.body.threadId as number, 40) };
  }

  async function taskField(thread: number, field: string): Promise<string | undefined> {
    const [frame] = await topFrames(dc, thread, 1);
    const [task] = await scopeVariables(dc, frame.id, 'Task');
    return (await children(dc, task)).find((f) => f.name === field)?.value;
  }

  async function stackVma(thread: number): Promise<DebugProtocol.Variable> {
    const [frame] = await topFrames(dc, thread, 1);
    const [mm] = await scopeVariables(dc, frame.id, 'Memory map');
    const vmas = (await children(dc, mm)).find((v) => v.name === 'mmap (VMAs)');
    assert.ok(vmas !== undefined);
    const stack = (await children(dc, vmas)).find((v) => v.name.endsWith('-0x4000000000'));
    assert.ok(stack !== undefined, 'a VMA ends at the top of user space');
    return stack;
  }

  it('finds where the parent waits, where the mm is replaced and how the stack is set up', async () => {
    await launch(dc, { type: 'forkscope', request: 'launch', program: join(EXAMPLES, 'vfork-exec') });
    // Only the vfork child's exec counts, not the program's own exec by init's child: a condition
    // (the child is named vfork-exec until its exec renames it), and for setup_arg_pages — which
    // runs after the rename — a hit count: the second exec to get there.
    const inChild = 'comm == "vfork-exec"';
    const set = await dc.setFunctionBreakpointsRequest({ breakpoints: [
      { name: 'wait_for_vfork_done' }, { name: 'bprm_mm_init', condition: inChild }, { name: 'exec_mmap', condition: inChild },
      { name: 'complete_vfork_done' }, { name: 'setup_arg_pages', hitCondition: '== 2' },
    ] });
    assert.ok(set.body.breakpoints.every((b) => b.verified));
    const first = stopped(dc);
    await dc.configurationDoneRequest();

    // Q3: the parent sleeps in wait_for_vfork_done, called by kernel_clone.
    let e = await first;
    assert.equal(e.body.reason, 'function breakpoint');
    const parent = e.body.threadId as number;
    let frames = await topFrames(dc, parent, 40);
    assert.deepEqual(frames.slice(0, 2).map((f) => f.name), ['wait_for_vfork_done', 'kernel_clone']);

    // Q1: the child allocates the temporary mm in bprm_mm_init, while the parent sleeps killably.
    ({ e, frames } = await next(parent));
    const child = e.body.threadId as number;
    assert.notEqual(child, parent);
    assert.equal(frames[0].name, 'bprm_mm_init');
    assert.ok(frames.some((f) => f.name === 'do_execveat_common'));
    assert.match(await taskField(parent, '__state') ?? '', /TASK_WAKEKILL\|TASK_UNINTERRUPTIBLE|0x102/);
    const parentNames = (await topFrames(dc, parent, 40)).map((f) => f.name);
    const waiting = parentNames.indexOf('wait_for_vfork_done');
    assert.ok(waiting >= 0, `the parent sleeps under wait_for_vfork_done: ${parentNames.join(' < ')}`);
    assert.equal(parentNames[waiting + 1], 'kernel_clone');

    // Q1: exec_mmap replaces the caller's mm (still the parent's, borrowed by vfork).
    ({ e, frames } = await next(parent));
    assert.equal(e.body.threadId, child);
    assert.equal(frames[0].name, 'exec_mmap');
    assert.equal(await taskField(child, 'mm'), await taskField(parent, 'mm'));

    // Q3: the parent is woken from there: exec_mmap → mm_release → complete_vfork_done.
    ({ e, frames } = await next(parent));
    assert.equal(e.body.threadId, child);
    assert.deepEqual(frames.slice(0, 3).map((f) => f.name), ['complete_vfork_done', 'mm_release', 'exec_mmap']);

    // Q2: setup_arg_pages finds the one-page stack VMA still flagged as temporary; the parent runs again.
    ({ e, frames } = await next(parent));
    assert.equal(e.body.threadId, child);
    assert.equal(frames[0].name, 'setup_arg_pages');
    assert.match((await stackVma(child)).value, /VM_STACK_INCOMPLETE_SETUP/);
    assert.match(await taskField(parent, '__state') ?? '', /TASK_RUNNING/);
    assert.notEqual(await taskField(child, 'mm'), await taskField(parent, 'mm'));

    // Once setup_arg_pages has returned, the stack is final: the flag is gone.
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
    const out = stopped(dc);
    await dc.stepOutRequest({ threadId: child });
    await out;
    assert.doesNotMatch((await stackVma(child)).value, /VM_STACK_INCOMPLETE_SETUP/);

    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: parent });
    assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
  });
});
