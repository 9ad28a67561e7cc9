/**
 * Breakpoints in position-independent images: a PIE program's lines and functions are placed at
 * exec, ld.so's too, and libc's once ld.so has mapped it (examples/bin/hello-dyn on the sysroot).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { disassembleAt } from '../../src/debugger/disasm';
import { taskStack } from '../../src/debugger/stack';
import type { Console } from '../../src/kernel/drivers/tty/console';
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

  /**
   * The names of the user frames when hello-dyn stops in libc's write, and the disassembly
   * view's label of each frame's pc (the same lookup names both).
   */
  async function stackAtWrite(console?: Console): Promise<{ names: string[]; labels: (string | undefined)[] }> {
    const { dbg, next } = session('hello-dyn', false, { sysroot: SYSROOT }, console);
    dbg.setFunctionBreakpoints([{ name: 'write' }]);
    dbg.start();
    const e = await next();
    assert.ok(e !== null && e.reason === 'function breakpoint');
    const user = taskStack(dbg.kernel, dbg.images, e.task).filter((f) => f.kind === 'user');
    const labels = user.map((f) => disassembleAt(dbg.kernel, dbg.images, e.task, f.pc ?? 0, 0, 1)[0].symbol);
    dbg.terminate();
    return { names: user.map((f) => f.name), labels };
  }

  // libc's internal functions have neither a dynamic symbol nor, mostly, CFI: they are named by
  // their FDE's start (fn@libc.so.6+0x…) or by the address alone, never after the exported
  // function before them; gdb shows `??` for the same frames. Aliases: gdb picks `write` and
  // `puts` where objdump's preference (ours) picks `__write` and `_IO_puts`.
  const UNNAMED = /^(fn@)?libc\.so\.6\+0x[0-9a-f]+$/;

  it('unwinds from write through puts to main and _start when stdout is a terminal (as gdb on qemu)', async () => {
    // gdb-multiarch on qemu-riscv64 -g with stdout a tty, `set backtrace past-main on`,
    // `break write`, `bt`: write, _IO_file_write, ??, _IO_do_write, _IO_file_overflow, puts,
    // main (hello.c:12), ??, __libc_start_main, _start — the same return addresses as ours.
    const tty: Console = { write: (_fd, src) => src.length, read: () => 0, isatty: () => true, winsize: () => ({ rows: 24, cols: 80 }) };
    const { names, labels } = await stackAtWrite(tty);
    const expected = [/^(__)?write$/, /^_IO_(new_)?file_write$/, UNNAMED, /^_IO_(new_)?do_write$/, /^_IO_(new_)?file_overflow$/,
      /^(_IO_)?puts$/, /^main$/, UNNAMED, /^__libc_start_main$/, /^_start$/];
    assert.equal(names.length, expected.length, names.join(' <- '));
    names.forEach((n, i) => assert.match(n, expected[i], names.join(' <- ')));
    // Return addresses lie inside their function: labelled by it, past its start.
    names.slice(1).forEach((n, i) => assert.ok(labels[i + 1]?.startsWith(`${n}+0x`), `${n}: ${labels[i + 1]}`));
  });

  it('unwinds from write at exit (stdout fully buffered) through functions without symbol or CFI to _start', async () => {
    // With stdout not a terminal, printf's line is written when exit flushes it: write is called
    // from __run_exit_handlers, which has no symbol and no FDE. gdb (past-main on) shows the
    // same first seven frames and stops there (`??`, its last); we take that function's start
    // from the end of the one before it, and believe the caller its prologue gives because it
    // returns after a call.
    const { names, labels } = await stackAtWrite();
    assert.match(names[0], /^(__)?write$/);
    const exit = names.indexOf('exit');
    assert.ok(exit > 0, names.join(' <- '));
    assert.match(names[exit - 1], /^libc\.so\.6\+0x[0-9a-f]+$/);
    assert.equal(labels[exit - 1], undefined, 'no label where the function is unknown');
    assert.deepEqual(names.slice(exit + 2), ['__libc_start_main', '_start'], names.join(' <- '));
    assert.match(names[exit + 1], UNNAMED);
    assert.ok(!names.includes('main') && !names.includes('erand48_r'), names.join(' <- '));
  });
});
