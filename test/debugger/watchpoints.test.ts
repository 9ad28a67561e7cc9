/**
 * Data watchpoints over the kernel's own accesses to user memory (read() filling a buffer, execve
 * reading its filename), and conditions on data breakpoints.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Debugger, StopEvent } from '../../src/debugger/debugger';
import { evaluate } from '../../src/debugger/expr';
import { taskStack } from '../../src/debugger/stack';
import { BIN, session, SOURCES } from './session';

/** The value of a C expression in the innermost user frame with source of the stopped task. */
function userValue(dbg: Debugger, e: StopEvent, expr: string): bigint {
  const frame = taskStack(dbg.kernel, dbg.images, e.task).find((f) => f.kind === 'user' && f.file !== undefined);
  const v = evaluate(expr, dbg.scope(e.task, frame));
  if ('kind' in v) throw new Error(`${expr} is a string`);
  let x = 0n;
  for (let i = v.bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(v.bytes[i]);
  return x;
}

/** pipe.c's parent stopped before its read() loop, watching the first 8 bytes of `reply`. */
async function watchingReply(condition?: string) {
  const s = session('pipe', false);
  s.dbg.setSourceBreakpoints(join(SOURCES, 'pipe.c'), [{ line: 53 }]);
  s.dbg.start();
  const e = await s.next();
  assert.ok(e !== null && e.reason === 'breakpoint', 'stopped at the read() loop');
  s.dbg.setSourceBreakpoints(join(SOURCES, 'pipe.c'), []);
  const address = Number(userValue(s.dbg, e, '(long)&reply'));
  s.dbg.setDataBreakpoints([{ address, size: 8, access: 'write', description: 'reply', task: e.task, condition }]);
  s.dbg.continue();
  return { ...s, parent: e.task };
}

describe('debugger: data watchpoints', function () {
  before(function () {
    if (!existsSync(join(BIN, 'pipe'))) this.skip();
  });

  it('stops in the kernel frame whose copy_to_user wrote the watched buffer', async () => {
    const { dbg, next, parent } = await watchingReply();
    const e = await next();
    assert.ok(e !== null);
    assert.equal(e.reason, 'data breakpoint');
    assert.equal(e.task, parent);
    assert.match(e.description ?? '', /reply written by the kernel \(\w+\) for task \d+/);
    const stack = taskStack(dbg.kernel, dbg.images, e.task);
    assert.equal(stack[0].kind, 'kernel');
    assert.ok(stack.some((f) => f.name === 'sys_read' || f.name === 'ksys_read'), stack.map((f) => f.name).join(' < '));
    assert.ok(stack.some((f) => f.kind === 'user' && f.name === 'main'));
    // The write has happened: the child's upper-cased first letter is in the buffer.
    assert.equal(userValue(dbg, e, 'reply[0]'), BigInt('H'.charCodeAt(0)));
    dbg.terminate();
  });

  it('evaluates a data breakpoint condition where the watched variable is in scope', async () => {
    const { dbg, next } = await watchingReply('got == 3');
    const e = await next();
    assert.ok(e !== null && e.reason === 'data breakpoint');
    assert.equal(userValue(dbg, e, 'got'), 3n);
    assert.equal(userValue(dbg, e, 'reply[3]'), BigInt('L'.charCodeAt(0)));
    assert.equal(dbg.watchpoints.all[0].hits, 1, 'hits are counted only when the condition holds');
    dbg.terminate();
  });

  it('never stops when the condition never holds', async () => {
    const { next, dbg } = await watchingReply('got > 1000');
    // pipe.c goes on to die of SIGPIPE in a child (an exception stop), far past the read loop.
    const e = await next();
    assert.notEqual(e?.reason, 'data breakpoint');
    assert.equal(dbg.watchpoints.all[0].hits, 0);
    dbg.terminate();
  });

  it('sees the kernel read a watched string: execve reading its filename (strncpy_from_user)', async function () {
    if (!existsSync(join(BIN, 'exec-chain'))) this.skip();
    const s = session('exec-chain', false);
    s.dbg.setSourceBreakpoints(join(SOURCES, 'exec-chain.c'), [{ line: 43 }]);
    s.dbg.start();
    const e = await s.next();
    assert.ok(e !== null && e.reason === 'breakpoint', 'stopped at the execve call');
    s.dbg.setSourceBreakpoints(join(SOURCES, 'exec-chain.c'), []);
    const address = Number(userValue(s.dbg, e, '(long)path'));
    s.dbg.setDataBreakpoints([{ address, size: 2, access: 'read', description: 'path', task: e.task }]);
    s.dbg.continue();
    // Nothing in user space reads the name between the call and the system call.
    const stop = await s.next();
    assert.ok(stop !== null && stop.reason === 'data breakpoint', `stopped for ${stop?.reason}`);
    const stack = taskStack(s.dbg.kernel, s.dbg.images, stop.task).map((f) => f.name);
    assert.ok(stack.includes('sys_execve'), stack.join(' < '));
    s.dbg.terminate();
  });
});
