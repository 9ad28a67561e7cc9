/**
 * Going back in time: reverse-continue to the previous breakpoint hit, step back by line and by
 * instruction, step back through kernel functions, and the user's own writes replayed where
 * they were made. Each place reached backwards is checked against what was seen there going
 * forwards: the same position, the same registers, the same line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { planLaunch } from '../../src/debugger/config';
import type { Debugger, StopEvent } from '../../src/debugger/debugger';
import { store } from '../../src/debugger/cvalue';
import { evaluate } from '../../src/debugger/expr';
import { writeMemory } from '../../src/debugger/memory';
import { taskStack } from '../../src/debugger/stack';
import { RecordingConsole } from '../kernel/guest';
import { BIN, ROOT, session, SOURCES } from './session';

const COW = join(SOURCES, 'cow.c');

/** What a stop looks like: where, in which task, and the task's registers. */
function seen(dbg: Debugger, e: StopEvent): string {
  const t = dbg.task(e.task.pid) ?? e.task;
  const top = taskStack(dbg.kernel, dbg.images, t)[0];
  const regs = Array.from({ length: 32 }, (_, i) => t.regs.getReg(i).toString(16)).join(' ');
  const p = dbg.position();
  return `${t.pid} ${top.name}:${top.line ?? ''} pc=${t.regs.pc.toString(16)} @${p.steps}/${p.kcalls} ${regs}`;
}

function scopeOf(dbg: Debugger, e: StopEvent) {
  const t = dbg.task(e.task.pid) ?? e.task;
  return dbg.scope(t, taskStack(dbg.kernel, dbg.images, t)[0]);
}

/** An int-valued C expression in the stopped task's top frame. */
function value(dbg: Debugger, e: StopEvent, expr: string): string {
  const v = evaluate(`(long)(${expr})`, scopeOf(dbg, e));
  return 'kind' in v ? v.text : String(new DataView(v.bytes.buffer, v.bytes.byteOffset).getBigInt64(0, true));
}

describe('debugger: going back in time', function () {
  before(function () {
    if (!existsSync(join(BIN, 'cow')) || !existsSync(join(BIN, 'fork-wait'))) this.skip();
  });

  it('reverse-continues to the previous breakpoint hit, in the state it had then', async () => {
    const { dbg, next } = session('cow', false);
    dbg.setSourceBreakpoints(COW, [{ line: 37 }, { line: 49 }]);
    dbg.start();
    const first = await next();
    assert.ok(first !== null && first.reason === 'breakpoint');
    const atFirst = seen(dbg, first);
    dbg.continue();
    const second = await next();
    assert.ok(second !== null && second.reason === 'breakpoint');
    assert.match(seen(dbg, second), / main:49 /);
    assert.notEqual(second.task.pid, first.task.pid, 'line 49 is the child');
    dbg.reverseContinue();
    const back = await next();
    assert.ok(back !== null);
    assert.equal(back.reason, 'breakpoint');
    assert.equal(seen(dbg, back), atFirst);
    assert.equal(dbg.task(second.task.pid), undefined, 'before the fork the child does not exist');
    // Forward again: the same run.
    dbg.continue();
    const again = await next();
    assert.ok(again !== null);
    assert.equal(seen(dbg, again), seen(dbg, again));
    assert.match(seen(dbg, again), / main:49 /);
    dbg.terminate();
  });

  it('reverse-continues to the program start when no breakpoint came before', async () => {
    const { dbg, next } = session('cow', true);
    dbg.start();
    const entry = await next();
    assert.ok(entry !== null && entry.reason === 'entry');
    const atEntry = seen(dbg, entry);
    dbg.setSourceBreakpoints(COW, [{ line: 37 }]);
    dbg.continue();
    assert.equal((await next())?.reason, 'breakpoint');
    dbg.setSourceBreakpoints(COW, []);
    dbg.reverseContinue();
    const back = await next();
    assert.ok(back !== null);
    assert.equal(back.reason, 'entry');
    assert.equal(seen(dbg, back), atEntry);
    dbg.terminate();
  });

  it('reverse-continues to the previous data breakpoint hit, across copy-on-write', async () => {
    const { dbg, next } = session('cow', false);
    dbg.setSourceBreakpoints(COW, [{ line: 37 }]);
    dbg.start();
    let e = await next();
    assert.ok(e !== null);
    dbg.setSourceBreakpoints(COW, []);
    const address = Number(value(dbg, e, '&global'));
    dbg.setDataBreakpoints([{ address, size: 4, access: 'write', description: 'global', task: e.task }]);
    const hits: string[] = [];
    for (let i = 0; i < 2; i++) {
      dbg.continue();
      e = await next();
      assert.ok(e !== null && e.reason === 'data breakpoint', `hit ${i}: ${e?.reason}`);
      hits.push(seen(dbg, e));
    }
    assert.notEqual(hits[0].split(' ')[0], hits[1].split(' ')[0], 'the child and the parent each write their copy');
    dbg.reverseContinue();
    e = await next();
    assert.ok(e !== null);
    assert.equal(e.reason, 'data breakpoint');
    assert.equal(seen(dbg, e), hits[0]);
    dbg.terminate();
  });

  it('steps back by line and by instruction to exactly where it was', async () => {
    const { dbg, next } = session('cow', false);
    dbg.setSourceBreakpoints(COW, [{ line: 31 }]);
    dbg.start();
    let e = await next();
    assert.ok(e !== null);
    const lines = [seen(dbg, e)];
    for (let i = 0; i < 4; i++) {
      dbg.step(e.task, 'over', 'line');
      e = await next();
      assert.ok(e !== null);
      lines.push(seen(dbg, e));
    }
    assert.deepEqual(lines.map((l) => l.split(' ')[1]), ['main:31', 'main:32', 'main:33', 'main:34', 'main:35']);
    const insns = [seen(dbg, e)];
    for (let i = 0; i < 5; i++) {
      dbg.step(e.task, 'in', 'instruction');
      e = await next();
      assert.ok(e !== null);
      insns.push(seen(dbg, e));
    }
    for (let i = insns.length - 2; i >= 0; i--) {
      dbg.stepBack(e.task, 'instruction');
      e = await next();
      assert.ok(e !== null && e.reason === 'step');
      assert.equal(seen(dbg, e), insns[i], `instruction ${i}`);
    }
    for (let i = lines.length - 2; i >= 0; i--) {
      dbg.stepBack(e.task, 'line');
      e = await next();
      assert.ok(e !== null && e.reason === 'step');
      assert.equal(seen(dbg, e), lines[i], `line ${i}`);
    }
    dbg.terminate();
  });

  it('steps back over a call in one line (malloc runs thousands of instructions)', async () => {
    const { dbg, next } = session('cow', false);
    dbg.setSourceBreakpoints(COW, [{ line: 32 }]);
    dbg.start();
    let e = await next();
    assert.ok(e !== null);
    const before = seen(dbg, e);
    dbg.step(e.task, 'over', 'line');
    e = await next();
    assert.ok(e !== null);
    assert.match(seen(dbg, e), / main:33 /);
    dbg.stepBack(e.task, 'line');
    e = await next();
    assert.ok(e !== null);
    assert.equal(seen(dbg, e), before);
    dbg.terminate();
  });

  it('steps back through the kernel: copy_process walked backwards is its steps in reverse', async () => {
    const { dbg, next } = session('fork-wait', false);
    dbg.setFunctionBreakpoints([{ name: 'copy_process' }]);
    dbg.start();
    let e = await next();
    // Kernel threads and init fork first: on to the program's own fork.
    while (e !== null && e.task.pid !== dbg.result.pid) {
      dbg.continue();
      e = await next();
    }
    assert.ok(e !== null && e.reason === 'function breakpoint');
    const walk: string[] = [];
    const top = () => {
      const t = dbg.task(e!.task.pid)!;
      const p = dbg.position();
      return `${t.kstack.map((f) => f.fn).join('>')} @${p.steps}/${p.kcalls}`;
    };
    walk.push(top());
    dbg.setFunctionBreakpoints([]);
    for (let i = 0; i < 6; i++) {
      dbg.step(e.task, 'in', 'line');
      e = await next();
      assert.ok(e !== null);
      walk.push(top());
    }
    assert.ok(walk.some((w) => w.endsWith('dup_task_struct') || w.includes('>dup_task_struct ')), walk.join('\n'));
    for (let i = walk.length - 2; i >= 0; i--) {
      dbg.stepBack(e.task, 'line');
      e = await next();
      assert.ok(e !== null);
      assert.equal(top(), walk[i], `kernel step ${i}`);
    }
    // On back: the callers' entries, then out of the kernel to the instruction that entered it.
    const callers: string[] = [];
    for (let i = 0; i < 10 && dbg.task(e.task.pid)!.kstack.length > 0; i++) {
      dbg.stepBack(e.task, 'line');
      e = await next();
      assert.ok(e !== null);
      callers.push(dbg.task(e.task.pid)!.kstack.at(-1)?.fn ?? 'user');
    }
    assert.ok(callers.includes('kernel_clone'), callers.join(' '));
    assert.equal(callers.at(-1), 'user');
    const t = dbg.task(e.task.pid)!;
    assert.equal(dbg.kernel.rq.curr, t, 'about to run the instruction');
    assert.equal(value(dbg, e, '*(unsigned int *)$pc'), String(0x73), 'an ecall');
    dbg.terminate();
  });

  it('replays the user\'s own writes where they were made', async () => {
    const { dbg, next, output } = session('cow', false);
    dbg.setSourceBreakpoints(COW, [{ line: 37 }, { line: 44 }]);
    dbg.start();
    let e = await next();
    assert.ok(e !== null);
    assert.equal(value(dbg, e, 'global'), '1');
    const set = (n: number) => {
      const scope = scopeOf(dbg, e!);
      const target = evaluate('global', scope);
      const v = evaluate(String(n), scope);
      assert.ok(!('kind' in target) && !('kind' in v));
      store(scope.env, target, v);
    };
    set(7);
    assert.equal(value(dbg, e, 'global'), '7');
    dbg.continue();
    e = await next();
    assert.ok(e !== null);
    assert.match(seen(dbg, e), / main:44 /);
    assert.equal(value(dbg, e, 'global'), '7');
    set(8);
    dbg.stepBack(e.task, 'line');
    e = await next();
    assert.ok(e !== null);
    assert.match(seen(dbg, e), / main:43 /);
    assert.equal(value(dbg, e, 'global'), '7', 'the write at line 37 is part of the replayed past, the one at 44 not yet');
    // A write in the past changes what came next: the later write is dropped, and the user told.
    set(9);
    assert.match(output.join(''), /a write of 4 bytes at 0x[0-9a-f]+ in task \d+ changes the past: a write of 4 bytes at 0x[0-9a-f]+ in task \d+, made later in the run, will not be made again/);
    dbg.step(e.task, 'over', 'line');
    e = await next();
    assert.ok(e !== null);
    assert.match(seen(dbg, e), / main:44 /);
    assert.equal(value(dbg, e, 'global'), '9');
    dbg.terminate();
  });

  it('finds out a change made behind its back: the replay does not come back, and the stop says so', async () => {
    const { dbg, next } = session('cow', false);
    dbg.setSourceBreakpoints(COW, [{ line: 37 }, { line: 44 }]);
    dbg.start();
    let e = await next();
    assert.ok(e !== null);
    // Straight into guest memory, not through the debugger: nothing records it.
    const address = Number(value(dbg, e, '&global'));
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setInt32(0, 123456789, true);
    writeMemory(dbg.kernel, e.task, address, bytes, null);
    dbg.continue();
    e = await next();
    assert.ok(e !== null);
    assert.equal(value(dbg, e, 'global'), '123456789');
    dbg.stepBack(e.task, 'line');
    e = await next();
    assert.ok(e !== null);
    assert.equal(e.reason, 'exception');
    assert.equal(e.description, 'the replay diverged');
    assert.match(dbg.lastException?.description ?? '', /did not come back to step \d+/);
    dbg.terminate();
  });
});

describe('debugger: a recorded run launched again (replay)', function () {
  let dir: string;
  before(function () {
    if (!existsSync(join(BIN, 'minish'))) this.skip();
    const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    dir = mkdtempSync(join(tmpdir(), 'forkscope-replay-'));
  });
  after(() => dir !== undefined && rmSync(dir, { recursive: true, force: true }));

  it('debugs the recorded run: the recorded input answers, the same stops, the same output and end', async () => {
    const file = join(dir, 'run.json');
    const live = spawnSync(process.execPath, [join(ROOT, 'bin', 'forkscope.js'), 'run', '--record', file, './minish'],
      { cwd: BIN, input: './hello\n./crash-segv\nexit 3\n', encoding: 'utf8' });
    assert.equal(live.status, 3, live.stderr);
    const terminal = new RecordingConsole();
    const { dbg, next } = session('minish', false, { replay: file, root: BIN }, terminal);
    dbg.setSourceBreakpoints(join(SOURCES, 'minish.c'), [{ line: 80 }]);
    dbg.start();
    const commands: string[] = [];
    for (let e = await next(); e !== null; e = await next()) {
      commands.push(e.reason === 'exception' ? `${e.reason} ${e.description}` : `${e.reason} ${taskStack(dbg.kernel, dbg.images, e.task)[0].line}`);
      dbg.continue();
    }
    assert.equal(commands.length, 3, commands.join(', '));
    assert.deepEqual(commands.slice(0, 2), ['breakpoint 80', 'breakpoint 80'], './hello, then ./crash-segv');
    assert.match(commands[2], /^exception .*SIGSEGV/, 'crash-segv dies as it did');
    assert.equal(dbg.exitCode(), 3);
    assert.equal(terminal.output, live.stdout);
  });

  it('refuses launch fields the recording fixes, and another program', function () {
    const file = join(dir, 'run.json');
    assert.throws(() => planLaunch({ program: join(BIN, 'minish'), replay: file, args: ['x'] }, ROOT), /"args" cannot be given with "replay"/);
    assert.throws(() => planLaunch({ program: join(BIN, 'hello'), replay: file }, ROOT), /the recording ran \.\/minish in its root/);
    assert.throws(() => planLaunch({ program: join(BIN, 'minish'), replay: join(dir, 'none.json') }, ROOT), /"replay": cannot read the recording/);
  });
});
