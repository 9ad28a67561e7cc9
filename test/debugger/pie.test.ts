/**
 * Breakpoints in position-independent images: a PIE program's lines and functions are placed at
 * exec, ld.so's too, and libc's once ld.so has mapped it (examples/bin/hello-dyn on the sysroot).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { taskStack } from '../../src/debugger/stack';
import { BIN, session, SOURCES } from './session';

const SYSROOT = '/usr/riscv64-linux-gnu';

describe('debugger: breakpoints in position-independent images', function () {
  before(function () {
    if (!existsSync(join(BIN, 'hello-dyn'))) this.skip();
    if (!existsSync(join(SYSROOT, 'lib', 'libc.so.6'))) {
      console.log(`      (no riscv64 sysroot at ${SYSROOT}: install libc6-riscv64-cross)`);
      this.skip();
    }
  });

  it('places a line breakpoint of a PIE program at exec and stops there', async () => {
    const { dbg, next } = session('hello-dyn', false, { sysroot: SYSROOT });
    const [bp] = dbg.setSourceBreakpoints(join(SOURCES, 'hello.c'), [{ line: 12 }]);
    assert.equal(bp.verified, false);
    assert.match(bp.message ?? '', /position independent/);
    dbg.start();
    const e = await next();
    assert.ok(e !== null);
    assert.equal(e.reason, 'breakpoint');
    assert.equal(bp.verified, true);
    assert.deepEqual(e.hitBreakpointIds, [bp.id]);
    const top = taskStack(dbg.kernel, dbg.images, e.task)[0];
    assert.equal(top.name, 'main');
    assert.equal(top.line, 12);
    assert.ok(top.pc !== undefined && top.pc > 0x10000, 'at a biased address');
    dbg.terminate();
  });

  it('stops in ld.so and in libc once they are loaded', async () => {
    const { dbg, next } = session('hello-dyn', false, { sysroot: SYSROOT });
    const bps = dbg.setFunctionBreakpoints([{ name: '_dl_catch_exception' }, { name: 'write' }]);
    assert.ok(bps.every((b) => !b.verified));
    dbg.start();
    const modules = (e: NonNullable<Awaited<ReturnType<typeof next>>>) => {
      const top = taskStack(dbg.kernel, dbg.images, e.task)[0];
      const m = e.task.mm === null || top.pc === undefined ? undefined : dbg.images.moduleAt(e.task.mm, top.pc);
      return `${top.name} in ${m?.image.guestPath ?? '?'}`;
    };
    const first = await next();
    assert.ok(first !== null && first.reason === 'function breakpoint');
    assert.equal(modules(first), '_dl_catch_exception in /lib/ld-linux-riscv64-lp64d.so.1');
    dbg.setFunctionBreakpoints([{ name: 'write' }]);
    dbg.continue();
    const second = await next();
    assert.ok(second !== null && second.reason === 'function breakpoint');
    assert.match(modules(second), /^(__libc_|__)?write in \/lib\/libc\.so\.6$/);
    dbg.terminate();
  });
});
