/**
 * Bad input gets a clear answer and never hangs the session: launch configurations that cannot
 * work, breakpoints on lines without code, writes to unmapped memory, expressions with syntax
 * errors, console commands with bad arguments.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { EXAMPLES, haveExample, launch, ROOT, SOURCES, startClient, stopped, topFrames } from './client';

describe('adapter: bad input', function () {
  let dc: DebugClient;

  beforeEach(async () => {
    dc = await startClient();
  });

  afterEach(async () => {
    await dc.stop();
  });

  async function launchError(config: Record<string, unknown>): Promise<string> {
    await dc.initializeRequest({ adapterID: 'forkscope', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    await assert.rejects(dc.launchRequest({ type: 'forkscope', request: 'launch', ...config } as never), (e: Error) => {
      message = e.message;
      return true;
    });
    return message;
  }
  let message = '';

  it('refuses a launch without a program', async () => {
    assert.match(await launchError({}), /"program" must name the RISC-V ELF/);
  });

  it('refuses a program that does not exist', async () => {
    assert.match(await launchError({ program: join(EXAMPLES, 'no-such-program') }), /does not exist/);
  });

  it('refuses a file that is not a RISC-V ELF', async () => {
    assert.match(await launchError({ program: join(SOURCES, 'hello.c') }), /cannot be run: .*ELF/i);
  });

  it('refuses a memory size it cannot read', async function () {
    if (!haveExample('hello')) this.skip();
    const program = join(EXAMPLES, 'hello');
    assert.match(await launchError({ program, memory: 'lots' }), /"memory": "lots" is not a size/);
  });

  for (const [field, value, pattern] of [
    ['seed', -1, /"seed" must be a non-negative integer/],
    ['args', 'one two', /"args" must be an array of strings/],
    ['env', ['A=1'], /"env" must be an object/],
    ['console', 'externalTerminal', /"console" must be/],
    ['root', '/nonexistent-root', /"root" .* is not a directory/],
    ['cwd', 'relative', /"cwd" .* must be an absolute path/],
  ] as const) {
    it(`refuses a bad "${field}"`, async function () {
      if (!haveExample('hello')) this.skip();
      assert.match(await launchError({ program: join(EXAMPLES, 'hello'), [field]: value }), pattern);
    });
  }

  it('moves a breakpoint on a line without code, answers bad memory writes and expressions', async function () {
    if (!haveExample('hello')) this.skip();
    await launch(dc, { type: 'forkscope', request: 'launch', program: join(EXAMPLES, 'hello'), stopOnEntry: true });
    // Line 3 is a comment: the breakpoint moves to the next line with code.
    const bps = await dc.setBreakpointsRequest({ source: { path: join(SOURCES, 'hello.c') }, breakpoints: [{ line: 3 }, { line: 9999 }] });
    const [comment, beyond] = bps.body.breakpoints;
    assert.equal(comment.verified, true);
    assert.ok((comment.line ?? 0) > 3);
    assert.match(comment.message ?? '', /line 3 has no code: moved to line/);
    assert.equal(beyond.verified, false);
    assert.match(beyond.message ?? '', /no code at line 9999/);
    const entry = stopped(dc);
    await dc.configurationDoneRequest();
    const e = await entry;
    const pid = e.body.threadId as number;
    const [top] = await topFrames(dc, pid);

    await assert.rejects(dc.customRequest('writeMemory', { memoryReference: `${pid}@0x10`, data: Buffer.from('hi').toString('base64') }), /cannot write 0x10 .*not mapped/);
    await assert.rejects(dc.evaluateRequest({ expression: '1 +* (', frameId: top.id, context: 'watch' }), /syntax error/);
    await assert.rejects(dc.evaluateRequest({ expression: 'no_such_name', frameId: top.id, context: 'watch' }), /no variable or register named 'no_such_name'/);
    await assert.rejects(dc.evaluateRequest({ expression: '*(int *)0', frameId: top.id, context: 'watch' }), /not mapped/);
    await assert.rejects(dc.evaluateRequest({ expression: 'task 99999', frameId: top.id, context: 'repl' }), /no task with pid 99999/);
    // The session still works after all that.
    const ps = await dc.evaluateRequest({ expression: 'ps', context: 'repl' });
    assert.match(ps.body.result, /PID .* COMMAND/);
    assert.match(ps.body.result, /\/hello/);
    assert.equal((await dc.evaluateRequest({ expression: '$zero + 6 * 7', frameId: top.id, context: 'watch' })).body.result, '42');
    // The moved breakpoint is hit at the line it moved to, then the program ends.
    const hit = stopped(dc);
    await dc.continueRequest({ threadId: pid });
    assert.equal((await hit).body.reason, 'breakpoint');
    assert.equal((await topFrames(dc, pid))[0].line, comment.line);
    const exited = dc.waitForEvent('exited');
    await dc.continueRequest({ threadId: pid });
    await exited;
  });

  it('starts from a relative program path given the workspace folder', async function () {
    if (!haveExample('hello')) this.skip();
    await launch(dc, { type: 'forkscope', request: 'launch', program: 'examples/bin/hello', __base: ROOT });
    const out = dc.assertOutput('stdout', 'Hello from a RISC-V guest!');
    const exited = dc.waitForEvent('exited');
    await dc.configurationDoneRequest();
    await out;
    await exited;
  });
});
