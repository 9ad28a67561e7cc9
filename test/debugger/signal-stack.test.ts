/**
 * A task inside a signal handler: its call stack goes through the sigreturn trampoline's frame
 * (the rt_sigframe on the stack) back into the code the signal interrupted.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { taskStack } from '../../src/debugger/stack';
import { registers } from '../../src/debugger/views';
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

  it('shows in outer frames only the registers the unwinder recovered', async () => {
    const { dbg, next } = session('signals', false);
    dbg.setFunctionBreakpoints([{ name: 'on_usr1' }]);
    dbg.start();
    const e = await next();
    assert.ok(e !== null);
    const stack = taskStack(dbg.kernel, dbg.images, e.task);
    const shown = (i: number) => {
      const nodes = registers(dbg.scope(e.task, stack[i]), e.task, { hex: true }, i === 0);
      const fp = nodes.find((n) => n.name === 'f0–f31')?.children?.(0, 32) ?? [];
      return new Map([...nodes, ...fp].map((n) => [n.name.split(' ')[0], n.value]));
    };
    const unavailable = '<not available in this frame>';
    const inner = shown(0);
    assert.ok([...inner.values()].every((v) => v !== unavailable), 'the innermost frame has every register');
    // The trampoline's frame, unwound from the handler by CFI: callee-saved registers, sp and
    // the return address are known; argument and temporary registers, fcsr are not.
    const trampoline = shown(stack.findIndex((f) => f.name === '<signal handler called>'));
    for (const r of ['a0', 'a1', 't0', 'ft0', 'fa0', 'fcsr']) assert.equal(trampoline.get(r), unavailable, r);
    for (const r of ['pc', 'sp', 's1', 'fs0']) assert.notEqual(trampoline.get(r), unavailable, r);
    // The interrupted frame comes from the saved mcontext: every register is known again.
    const interrupted = shown(stack.findIndex((f) => f.name === '<signal handler called>') + 1);
    for (const r of ['a0', 'a7', 't0', 'ra', 'sp', 'fa0']) assert.notEqual(interrupted.get(r), unavailable, r);
    assert.equal(interrupted.get('a7'), '0x0000000000000081', 'a7 still holds kill\'s system call number (129)');
    dbg.terminate();
  });
});
