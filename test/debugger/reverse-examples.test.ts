/**
 * Going back in time on every kind of program the course has: forwards, the stops at kernel
 * breakpoints (fork, exec, exit) are noted; backwards, reverse-continue must come to each of
 * them again, in reverse order, in the same state — threads, vfork, signals, pipes, exec chains.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Debugger, StopEvent } from '../../src/debugger/debugger';
import { BIN, session } from './session';

const PROGRAMS = ['fork-wait', 'vfork-exec', 'threads', 'signals', 'pipe', 'zombie', 'exec-chain'];
const KERNEL_BREAKPOINTS = ['copy_process', 'exec_mmap', 'do_exit'];
const STOPS = 6;

function state(dbg: Debugger, e: StopEvent): string {
  const t = dbg.task(e.task.pid);
  assert.ok(t !== undefined, `task ${e.task.pid} exists`);
  const p = dbg.position();
  const regs = Array.from({ length: 32 }, (_, i) => t.regs.getReg(i).toString(16)).join(' ');
  return `${e.reason} ${t.pid} ${t.comm} ${t.kstack.map((f) => f.fn).join('>')} @${p.steps}/${p.kcalls} pc=${t.regs.pc.toString(16)} ${regs} tasks=${dbg.tasks.map((x) => x.pid).join(',')}`;
}

/**
 * A session of `program` from its first instruction with the kernel breakpoints set, continued
 * until its `most`-th stop, or until its end (then the machine is gone: nothing to go back in).
 */
async function toStops(program: string, most: number) {
  const { dbg, next } = session(program, true);
  dbg.start();
  const entry = await next();
  assert.ok(entry !== null && entry.reason === 'entry');
  dbg.setFunctionBreakpoints(KERNEL_BREAKPOINTS.map((name) => ({ name })));
  const states: string[] = [];
  while (states.length < most) {
    dbg.continue();
    const e = await next();
    if (e === null) break;
    states.push(state(dbg, e));
  }
  return { dbg, next, states, finished: dbg.finished };
}

describe('debugger: going back in time through the examples', function () {
  for (const program of PROGRAMS) {
    it(`${program}: reverse-continue comes back to each kernel stop, in reverse order`, async function () {
      if (!existsSync(join(BIN, program))) this.skip();
      let run = await toStops(program, STOPS);
      // A program that ended before its last stop is run again to that stop, where it is alive.
      if (run.finished) run = await toStops(program, run.states.length);
      const { dbg, next, states: forwards } = run;
      assert.ok(forwards.length >= 3, `${program} stopped ${forwards.length} times`);
      assert.equal(dbg.finished, false);
      if (process.env.SHOW_STOPS) console.log(forwards.map((f) => f.split(' pc=')[0]).join('\n'));
      for (let i = forwards.length - 2; i >= 0; i--) {
        dbg.reverseContinue();
        const e = await next();
        assert.ok(e !== null, 'stopped');
        assert.equal(state(dbg, e), forwards[i], `stop ${i} of ${program}`);
      }
      dbg.terminate();
    });
  }
});
