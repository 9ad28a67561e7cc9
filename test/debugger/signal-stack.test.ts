/**
 * A task inside a signal handler: its call stack goes through the sigreturn trampoline's frame
 * (the rt_sigframe on the stack) back into the code the signal interrupted.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { taskStack } from '../../src/debugger/stack';
import { BIN, SOURCES, session } from './session';

describe('debugger: call stacks through signal frames', function () {
  before(function () {
    if (!existsSync(join(BIN, 'signals'))) this.skip();
  });

  it('unwinds a handler through <signal handler called> into the interrupted kill() call in main', async () => {
    const { dbg, next } = session('signals', false);
    dbg.setFunctionBreakpoints([{ name: 'on_usr1' }]);
    dbg.start();
    const e = await next();
    assert.ok(e !== null && e.reason === 'function breakpoint');
    const stack = taskStack(dbg.kernel, dbg.images, e.task);
    const names = stack.map((f) => f.name);
    const at = (name: string) => names.indexOf(name);
    assert.equal(names[0], 'on_usr1');
    assert.ok(at('<signal handler called>') > 0, names.join(' < '));
    assert.ok(at('main') > at('<signal handler called>'), names.join(' < '));
    const main = stack[at('main')];
    assert.equal(main.file, join(SOURCES, 'signals.c'));
    assert.equal(main.line, 116, 'main is in the kill() that raised the signal');
    dbg.terminate();
  });
});
