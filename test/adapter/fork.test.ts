/**
 * The debugger end to end over DAP, on the cow example (issue 5's scenario): stop on entry, the
 * initial stack holds argv, disassembly is objdump's, a line breakpoint in main, step over
 * fork and see both tasks, a watchpoint on a global fires in the child after copy-on-write, a
 * kernel breakpoint on copy_process with kernel_clone below it and the new task_struct in
 * TASK_NEW, and the exit code. And going back in time as VS Code's Step Back and Reverse buttons
 * do: step back over fork (the child's thread goes away), reverse-continue to the previous
 * breakpoint hit, and forward again into the same run.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { children, EXAMPLES, haveExample, launch, scopeVariables, SOURCES, startClient, stopped, topFrames } from './client';

function objdumpLines(file: string, from: number, to: number): Map<number, string> | null {
  let text: string;
  try {
    text = execFileSync('riscv64-linux-gnu-objdump', ['-d', `--start-address=0x${from.toString(16)}`, `--stop-address=0x${to.toString(16)}`, file], { encoding: 'utf8' });
  } catch {
    return null;
  }
  const out = new Map<number, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([0-9a-f]+):\s+[0-9a-f]+\s+(.*)$/.exec(line);
    if (m !== null) out.set(parseInt(m[1], 16), m[2].trim());
  }
  return out;
}

describe('adapter: fork, copy-on-write and the kernel, over DAP', function () {
  let dc: DebugClient;

  before(function () {
    if (!haveExample('cow')) this.skip();
  });

  beforeEach(async () => {
    dc = await startClient();
  });

  afterEach(async () => {
    await dc.stop();
  });

  it('steps from entry through fork into copy_process and sees copy-on-write', async () => {
    const program = join(EXAMPLES, 'cow');
    const source = join(SOURCES, 'cow.c');
    await launch(dc, { type: 'forkscope', request: 'launch', program, stopOnEntry: true });
    const entryStop = stopped(dc);
    await dc.configurationDoneRequest();
    const entry = await entryStop;
    assert.equal(entry.body.reason, 'entry');
    const pid = entry.body.threadId as number;

    // The first instruction: _start, with argc and argv on the stack.
    const [start] = await topFrames(dc, pid);
    assert.equal(start.name, '_start');
    const sp = BigInt((await dc.evaluateRequest({ expression: '$sp', frameId: start.id, context: 'watch' })).body.result);
    const mem = await dc.customRequest('readMemory', { memoryReference: `${pid}@0x${sp.toString(16)}`, count: 16 }) as { body: { data: string } };
    const stack = Buffer.from(mem.body.data, 'base64');
    assert.equal(stack.readBigUInt64LE(0), 1n, 'argc');
    const argv0 = stack.readBigUInt64LE(8);
    const str = await dc.customRequest('readMemory', { memoryReference: `${pid}@0x${argv0.toString(16)}`, count: 5 }) as { body: { data: string } };
    assert.equal(Buffer.from(str.body.data, 'base64').toString('latin1'), '/cow\0');

    // Disassembly of the entry is objdump's, instruction for instruction.
    const pc = parseInt((start.instructionPointerReference as string).split('@0x')[1], 16);
    const dis = (await dc.disassembleRequest({ memoryReference: start.instructionPointerReference as string, instructionCount: 12 })).body?.instructions ?? [];
    assert.equal(dis.length, 12);
    assert.equal(parseInt(dis[0].address, 16), pc);
    const objdump = objdumpLines(program, pc, parseInt(dis[11].address, 16) + 4);
    if (objdump !== null) for (const i of dis) assert.equal(i.instruction, objdump.get(parseInt(i.address, 16)), `at ${i.address}`);

    // A breakpoint on the fork line of main.
    const set = await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: 44 }] });
    assert.equal(set.body.breakpoints[0].verified, true);
    const atFork = stopped(dc);
    await dc.continueRequest({ threadId: pid });
    const bp = await atFork;
    assert.equal(bp.body.reason, 'breakpoint');
    let [top] = await topFrames(dc, pid);
    assert.equal(top.name, 'main');
    assert.equal(top.line, 44);

    // Watch `global` (write) before forking: the watch follows the child's copy of the mm.
    const info = await dc.dataBreakpointInfoRequest({ name: 'global', frameId: top.id });
    assert.ok(info.body.dataId !== null, info.body.description);
    await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId as string, accessType: 'write' }] });

    // Stepping over fork meets a kernel breakpoint: copy_process, under kernel_clone.
    const fb = await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'copy_process' }] });
    assert.equal(fb.body.breakpoints[0].verified, true);
    const inKernel = stopped(dc);
    await dc.nextRequest({ threadId: pid });
    const k = await inKernel;
    assert.equal(k.body.reason, 'function breakpoint');
    assert.equal(k.body.threadId, pid);
    const kframes = await topFrames(dc, pid, 40);
    assert.deepEqual(kframes.slice(0, 2).map((f) => f.name), ['copy_process', 'kernel_clone']);
    assert.match(kframes[0].source?.path ?? '', /src\/kernel\/fork\.ts$/);
    assert.ok(kframes[0].line > 0);
    const boundary = kframes.findIndex((f) => f.presentationHint === 'label');
    assert.match(kframes[boundary].name, /system call clone/);
    assert.ok(kframes.slice(boundary + 1).some((f) => f.name === 'main'), 'user frames below the boundary');
    await dc.setFunctionBreakpointsRequest({ breakpoints: [] });

    // Kernel steps in walk copy_process's steps in Linux's order, down to copy_mm — entered once
    // the child's task_struct exists, in TASK_NEW.
    const order: string[] = [];
    let frames = kframes;
    while (frames[0].name !== 'copy_mm' && order.length < 12) {
      const stepped = stopped(dc);
      await dc.stepInRequest({ threadId: pid });
      await stepped;
      frames = await topFrames(dc, pid, 40);
      order.push(frames[0].name);
    }
    assert.deepEqual(order, ['dup_task_struct', 'sched_fork', 'copy_files', 'copy_fs', 'copy_sighand', 'copy_signal', 'copy_mm']);
    const locals = await scopeVariables(dc, frames[1].id, 'Locals of copy_process');
    const p = locals.find((v) => v.name === 'p');
    assert.ok(p !== undefined && p.variablesReference > 0, 'copy_process has the new task p');
    assert.match((await children(dc, p)).find((f) => f.name === '__state')?.value ?? '', /TASK_NEW/);

    // Step out of the kernel: first to its way back to user mode, then to the first user
    // instruction (in the C library's fork), then out of the library's frames up to main.
    const outOf = async () => {
      const out = stopped(dc);
      await dc.stepOutRequest({ threadId: pid });
      assert.equal((await out).body.reason, 'step');
      return topFrames(dc, pid, 40);
    };
    // Out of copy_process, kernel_clone wakes the child: complete now — it has its pid — yet
    // still TASK_NEW at wake_up_new_task's entry.
    frames = await outOf();
    assert.equal(frames[0].name, 'wake_up_new_task');
    const wakeLocals = await scopeVariables(dc, frames[1].id, 'Locals of kernel_clone');
    const newTask = wakeLocals.find((v) => v.name === 'p');
    assert.ok(newTask !== undefined && newTask.variablesReference > 0, 'kernel_clone has the new task p');
    const newFields = await children(dc, newTask);
    assert.match(newFields.find((f) => f.name === '__state')?.value ?? '', /TASK_NEW/);
    assert.match(newFields.find((f) => f.name === 'pid')?.value ?? '', /^[1-9]\d*$/);
    frames = await outOf();
    assert.equal(frames[0].name, 'syscall_exit_to_user_mode');
    frames = await outOf();
    assert.ok(frames[0].presentationHint !== 'label' && frames[0].instructionPointerReference !== undefined, `in user mode, not ${frames[0].name}`);
    for (let i = 0; i < 4 && frames[0].name !== 'main'; i++) frames = await outOf();
    assert.equal(frames[0].name, 'main');
    const toNext = stopped(dc);
    await dc.nextRequest({ threadId: pid });
    await toNext;
    [top] = await topFrames(dc, pid);
    assert.equal(top.line, 45);

    // Both processes are threads; the child's task_struct names its pid.
    const threads = (await dc.threadsRequest()).body.threads;
    const child = threads.find((t) => t.id !== pid && / cow$/.test(t.name));
    assert.ok(child !== undefined, `a child cow thread among ${threads.map((t) => t.name).join(', ')}`);
    assert.ok(threads.some((t) => t.name === `${pid}:${pid} cow`));
    const childFrames = await topFrames(dc, child.id, 40);
    const [task] = await scopeVariables(dc, childFrames[0].id, 'Task');
    const taskFields = await children(dc, task);
    assert.equal(taskFields.find((f) => f.name === 'pid')?.value, String(child.id));
    assert.equal(taskFields.find((f) => f.name === 'real_parent')?.value.includes(`pid ${pid}`), true);

    // The parent writes global first: copy-on-write gives it its own page, the child keeps 1.
    const value = async (thread: number) => {
      const main = (await topFrames(dc, thread, 60)).find((f) => f.name === 'main');
      assert.ok(main !== undefined);
      return (await dc.evaluateRequest({ expression: 'global', frameId: main.id, context: 'watch' })).body.result;
    };
    const parentWrite = stopped(dc);
    await dc.continueRequest({ threadId: pid });
    const w1 = await parentWrite;
    assert.equal(w1.body.reason, 'data breakpoint');
    assert.equal(w1.body.threadId, pid);
    assert.equal(await value(pid), '3');
    assert.equal(await value(child.id), '1');

    // Then the child writes its copy: the watchpoint fires in the child.
    const childWrite = stopped(dc);
    await dc.continueRequest({ threadId: pid });
    const w2 = await childWrite;
    assert.equal(w2.body.reason, 'data breakpoint');
    assert.equal(w2.body.threadId, child.id);
    assert.equal(await value(child.id), '2');
    assert.equal(await value(pid), '3');
    await dc.setDataBreakpointsRequest({ breakpoints: [] });

    // Run to the end: exit code 0, every fact of the program held.
    const exited = dc.waitForEvent('exited');
    const terminated = dc.waitForEvent('terminated');
    await dc.continueRequest({ threadId: pid });
    assert.equal(((await exited) as { body: { exitCode: number } }).body.exitCode, 0);
    await terminated;
  });

  it('steps back over fork and reverse-continues to the previous breakpoint', async () => {
    const init = await dc.initializeRequest({ adapterID: 'forkscope', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    assert.equal(init.body?.supportsStepBack, true);
    const source = join(SOURCES, 'cow.c');
    await launch(dc, { type: 'forkscope', request: 'launch', program: join(EXAMPLES, 'cow') });
    await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: 37 }, { line: 44 }] });
    let stop = stopped(dc);
    await dc.configurationDoneRequest();
    const at37 = await stop;
    const pid = at37.body.threadId as number;
    assert.equal((await topFrames(dc, pid))[0].line, 37);

    stop = stopped(dc);
    await dc.continueRequest({ threadId: pid });
    await stop;
    assert.equal((await topFrames(dc, pid))[0].line, 44);
    const before = (await dc.threadsRequest()).body.threads.length;

    stop = stopped(dc);
    await dc.nextRequest({ threadId: pid });
    await stop;
    assert.equal((await topFrames(dc, pid))[0].line, 45);
    assert.equal((await dc.threadsRequest()).body.threads.length, before + 1, 'the child is a thread');

    const gone = dc.waitForEvent('thread');
    stop = stopped(dc);
    await dc.stepBackRequest({ threadId: pid });
    const back = await stop;
    assert.equal(back.body.reason, 'step');
    assert.equal((await topFrames(dc, pid))[0].line, 44);
    assert.equal((await gone).body.reason, 'exited');
    assert.equal((await dc.threadsRequest()).body.threads.length, before, 'before the fork there is no child');

    stop = stopped(dc);
    await dc.reverseContinueRequest({ threadId: pid });
    const previous = await stop;
    assert.equal(previous.body.reason, 'breakpoint');
    assert.equal((await topFrames(dc, pid))[0].line, 37);

    // Forward again: the same run, stopping where it stopped before.
    stop = stopped(dc);
    await dc.continueRequest({ threadId: pid });
    await stop;
    assert.equal((await topFrames(dc, pid))[0].line, 44);
  });
});
