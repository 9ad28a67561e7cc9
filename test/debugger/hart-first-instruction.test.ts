/**
 * Breakpoints at the start of a hart run: a run starts after every return from the kernel and
 * at every scheduler tick, so "never check the first instruction of a run" (how a debugger once
 * resumed over the breakpoint it stopped at) ran over a breakpoint on the instruction after an
 * `ecall`. The hart now lets only the context that stopped at a breakpoint pass it, once.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { decodeAt } from '../../src/debugger/insn';
import { Op } from '../../src/isa/ops';
import { BIN, session } from './session';

describe('debugger: breakpoints at the start of a hart run', function () {
  before(function () {
    if (!existsSync(join(BIN, 'hello'))) this.skip();
  });

  it('stops at the first instruction after a return from the kernel', async () => {
    const { dbg, next } = session('hello', false);
    dbg.setFunctionBreakpoints([{ name: 'main' }]);
    dbg.start();
    const atMain = await next();
    assert.ok(atMain !== null);
    // The instruction after the ecall of the C library's write(), which printf's output reaches.
    const [write] = dbg.images.loaded[0].symbolAddresses('__libc_write');
    assert.ok(write !== undefined, 'hello links __libc_write');
    let pc = write;
    for (let i = 0; i < 64; i++) {
      const inst = decodeAt(dbg.kernel, atMain.task, pc);
      assert.ok(inst !== null);
      pc += inst.len;
      if (inst.op === Op.ECALL) break;
    }
    const [bp] = dbg.setInstructionBreakpoints([{ address: pc }]);
    dbg.continue();
    const e = await next();
    assert.ok(e !== null, `the program ran over the breakpoint at 0x${pc.toString(16)}`);
    assert.equal(e.reason, 'instruction breakpoint');
    assert.equal(e.task.regs.pc, pc);
    assert.deepEqual(e.hitBreakpointIds, [bp.id]);
    dbg.terminate();
  });
});
