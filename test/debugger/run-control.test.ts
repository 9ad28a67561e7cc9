/**
 * Run control without DAP: pause answers in a long computation, a session replays identically
 * (same stops at the same instruction counts), and C expressions over a live frame.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { evaluate } from '../../src/debugger/expr';
import { taskStack } from '../../src/debugger/stack';
import { BIN, session } from './session';

describe('debugger: run control', function () {
  before(function () {
    if (!existsSync(join(BIN, 'bench')) || !existsSync(join(BIN, 'fork-wait'))) this.skip();
  });

  it('pauses a long computation', async () => {
    const { dbg, next } = session('bench', false);
    dbg.start();
    const stop = next();
    // Let it run a few slices, then pause.
    await new Promise((r) => setTimeout(r, 50));
    dbg.pause();
    const e = await stop;
    assert.ok(e !== null, 'stopped before the end');
    assert.equal(e.reason, 'pause');
    assert.equal(dbg.running, false);
    dbg.terminate();
  });

  it('replays identically: the same stops at the same instruction counts', async () => {
    const trace = async () => {
      const { dbg, next } = session('fork-wait', true);
      const seen: string[] = [];
      dbg.start();
      let e = await next();
      dbg.setFunctionBreakpoints([{ name: 'copy_process' }, { name: 'do_exit' }, { name: 'main' }]);
      for (let i = 0; i < 12 && e !== null; i++) {
        seen.push(`${e.reason} ${e.task.pid} ${taskStack(dbg.kernel, dbg.images, e.task)[0]?.name} @${dbg.kernel.hart.instret}`);
        if (i % 3 === 2) dbg.step(e.task, 'over', 'line');
        else dbg.continue();
        e = await next();
      }
      dbg.terminate();
      return seen;
    };
    const a = await trace();
    assert.ok(a.some((s) => s.includes('copy_process')) && a.some((s) => s.includes('do_exit')));
    assert.deepEqual(await trace(), a);
  });

  it('evaluates C expressions in a frame: locals, globals, registers, casts, pointers', async () => {
    const { dbg, next } = session('fork-wait', false);
    dbg.setFunctionBreakpoints([{ name: 'main' }]);
    dbg.start();
    const e = await next();
    assert.ok(e !== null);
    const scope = dbg.scope(e.task, taskStack(dbg.kernel, dbg.images, e.task)[0]);
    const val = (s: string) => {
      const v = evaluate(s, scope);
      return 'kind' in v ? v.text : String(new DataView(v.bytes.buffer, v.bytes.byteOffset).getBigInt64(0, true) ?? 0);
    };
    assert.equal(val('(long)(2 + 3 * 4)'), '14');
    assert.equal(val('(long)(sizeof(int) << 1)'), '8');
    assert.equal(val('(long)($sp == $x2)'), '1');
    assert.equal(val('(long)(&ok != 0)'), '1');
    assert.equal(val('(long)(*(int *)&ok == ok)'), '1');
    assert.throws(() => evaluate('ok +', scope), /syntax error/);
    assert.throws(() => evaluate('(struct nope *)0', scope), /unknown type 'struct nope'/);
    dbg.terminate();
  });
});
