/**
 * Run control while the guest waits for an asynchronous terminal: the run stays running without
 * spinning, a pause stops in the reader asleep in n_tty_read, continuing waits again, and typed
 * input (handed over by the console, pushed into the kernel by the debugger) lets it finish. A
 * machine idle with nobody waiting for the terminal is still a deadlock.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planLaunch } from '../../src/debugger/config';
import { Debugger, type StopEvent } from '../../src/debugger/debugger';
import { decodeAt, isCall } from '../../src/debugger/insn';
import { taskStack } from '../../src/debugger/stack';
import { tty_input_waiters } from '../../src/kernel/drivers/tty/tty';
import { tempDir } from '../kernel/fs_machine';
import { GCC, requireTool } from '../tools';
import { TypedTerminal } from '../kernel/guest';

const GUEST = `#include <stdio.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	char buf[64];
	int p[2];
	if (argc > 1) {
		/* Waits for a pipe nobody will ever write: a deadlock. */
		pipe(p);
		read(p[0], buf, sizeof buf);
	}
	ssize_t n = read(0, buf, sizeof buf);
	printf("read %zd: %.*s", n, (int)n, buf);
	return n;
}
`;

describe('debugger: a guest waiting for terminal input', function () {
  let dir: string;
  let cleanup: () => void;

  before(function () {
    requireTool(this, GCC);
    [dir, cleanup] = tempDir('console-input-');
    writeFileSync(join(dir, 'reader.c'), GUEST);
    execFileSync(GCC, ['-static', '-O0', '-g', '-o', join(dir, 'reader'), join(dir, 'reader.c')]);
  });

  after(function () {
    cleanup?.();
  });

  function session(args: string[]) {
    const term = new TypedTerminal();
    let waiting: ((e: StopEvent | null) => void) | null = null;
    const dbg = new Debugger(planLaunch({ program: join(dir, 'reader'), args, stopOnEntry: false }, dir), {
      stopped: (e) => waiting?.(e),
      output: () => undefined,
      task: () => undefined,
      breakpointChanged: () => undefined,
      exited: () => waiting?.(null),
    }, term);
    const next = () => new Promise<StopEvent | null>((r) => (waiting = r));
    return { dbg, term, next };
  }

  /** Lets the run go on until the guest is asleep waiting for the terminal. */
  async function untilReading(dbg: Debugger): Promise<void> {
    while (tty_input_waiters(dbg.kernel).length === 0) await new Promise((r) => setTimeout(r, 5));
  }

  it('stays running while it waits, pauses in n_tty_read, and finishes once a line is typed', async () => {
    const { dbg, term, next } = session([]);
    let stops = 0;
    dbg.start();
    void next().then(() => stops++);
    await untilReading(dbg);
    await new Promise((r) => setImmediate(r));
    assert.equal(stops, 0, 'no stop while waiting for input');
    assert.equal(dbg.running, true);
    const paused = next();
    dbg.pause();
    const e = await paused;
    assert.equal(e?.reason, 'pause');
    assert.match(e.task.comm, /reader/);
    assert.deepEqual(taskStack(dbg.kernel, dbg.images, e.task).slice(0, 3).map((f) => f.name), ['___wait_event', 'n_tty_read', 'tty_read']);
    dbg.continue();
    const end = next();
    // The continued run goes back to waiting: still running, no stop (a deadlock would be one).
    await new Promise((r) => setTimeout(r, 20));
    await untilReading(dbg);
    assert.equal(dbg.running, true);
    term.input?.(new TextEncoder().encode('hello\n'));
    assert.equal(await end, null);
    assert.equal(dbg.exitCode(), 6);
    assert.equal(term.output, 'read 6: hello\n');
  });

  it('a hung-up terminal wakes the reader: end of file, and output fails (EIO)', async () => {
    const { dbg, term, next } = session([]);
    dbg.start();
    const end = next();
    await untilReading(dbg);
    term.input?.(null);
    assert.equal(await end, null);
    assert.equal(dbg.exitCode(), 0);
    assert.equal(term.output, '');
  });

  it('typed input is part of the history: stepped back before the read, the run reads the same line again', async () => {
    const { dbg, term, next } = session([]);
    dbg.setSourceBreakpoints(join(dir, 'reader.c'), [{ line: 13 }]);
    dbg.start();
    const atPrintf = next();
    await untilReading(dbg);
    term.input?.(new TextEncoder().encode('hello\n'));
    let e = await atPrintf;
    assert.equal(e?.reason, 'breakpoint');
    const line = () => taskStack(dbg.kernel, dbg.images, dbg.task(e!.task.pid)!)[0].line;
    dbg.stepBack(e.task, 'line');
    e = await next();
    assert.equal(e?.reason, 'step');
    assert.equal(line(), 12, 'before the read');
    assert.equal(tty_input_waiters(dbg.kernel).length, 0);
    dbg.continue();
    e = await next();
    assert.equal(e?.reason, 'breakpoint', 'the line typed before comes in again where it came');
    assert.equal(line(), 13);
    dbg.continue();
    assert.equal(await next(), null);
    assert.equal(term.output, 'read 6: hello\n');
  });

  it('an instruction step over the call of read (nexti) waits for the typed line, as the read does', async () => {
    const { dbg, term, next } = session([]);
    dbg.setSourceBreakpoints(join(dir, 'reader.c'), [{ line: 12 }]);
    dbg.start();
    let e = await next();
    assert.equal(e?.reason, 'breakpoint');
    const t = () => dbg.task(e!.task.pid)!;
    // Instruction by instruction to the call of read().
    for (let i = 0; i < 20 && !isCall(decodeAt(dbg.kernel, t(), t().regs.pc)!); i++) {
      dbg.step(t(), 'over', 'instruction');
      e = await next();
    }
    const call = decodeAt(dbg.kernel, t(), t().regs.pc)!;
    assert.ok(isCall(call), 'reached the call');
    const after = t().regs.pc + call.len;
    let stopped = false;
    dbg.step(t(), 'over', 'instruction');
    const stepped = next().then((x) => {
      stopped = true;
      return x;
    });
    await untilReading(dbg);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(stopped, false, 'still running: the read waits for input');
    term.input?.(new TextEncoder().encode('hi\n'));
    e = await stepped;
    assert.equal(e?.reason, 'step');
    assert.equal(t().regs.pc, after, 'just after the call');
    assert.equal(t().regs.getReg(10), 3n, 'read returned 3');
    dbg.terminate();
  });

  it('idle with nobody waiting for the terminal is a deadlock', async () => {
    const { dbg, next } = session(['deadlock']);
    dbg.start();
    const e = await next();
    assert.equal(e?.reason, 'exception');
    assert.equal(e.description, 'deadlock');
    dbg.terminate();
  });
});
