/**
 * A data breakpoint over DAP caught when the kernel writes the watched memory: the parent of
 * pipe.c reads its child's reply into `reply`, and the stop shows the kernel path that wrote it
 * above the read() system call and main.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { EXAMPLES, haveExample, launch, SOURCES, startClient, stopped, topFrames } from './client';

describe('adapter: data breakpoints on kernel writes', function () {
  before(function () {
    if (!haveExample('pipe')) this.skip();
  });

  it('stops in the kernel frame whose copy_to_user filled a watched buffer, with the condition honoured', async () => {
    const dc = await startClient();
    try {
      await launch(dc, { program: join(EXAMPLES, 'pipe') });
      const source = { path: join(SOURCES, 'pipe.c') };
      await dc.setBreakpointsRequest({ source, breakpoints: [{ line: 53 }] });
      let s = stopped(dc);
      await dc.configurationDoneRequest();
      const atLoop = await s;
      const thread = atLoop.body.threadId as number;
      const [main] = await topFrames(dc, thread, 1);
      const info = await dc.dataBreakpointInfoRequest({ name: 'reply', frameId: main.id });
      assert.ok(info.body.dataId !== null, info.body.description);
      await dc.setBreakpointsRequest({ source, breakpoints: [] });
      await dc.setDataBreakpointsRequest({ breakpoints: [{ dataId: info.body.dataId as string, accessType: 'write', condition: 'got == 2' }] });
      s = stopped(dc);
      await dc.continueRequest({ threadId: thread });
      const hit = await s;
      assert.equal(hit.body.reason, 'data breakpoint');
      assert.match(hit.body.description ?? '', /written by the kernel/);
      const frames = await topFrames(dc, hit.body.threadId as number, 40);
      assert.match(frames[0].source?.path ?? '', /\.ts$/, 'the top frame is a kernel function in our sources');
      const names = frames.map((f) => f.name);
      const syscall = names.findIndex((n) => /system call read/.test(n));
      assert.ok(syscall > 0 && names.indexOf('main') > syscall, names.join(' < '));
      // The condition was evaluated in main, where `got` is: the third byte has just arrived.
      const mainFrame = frames[names.indexOf('main')];
      const got = await dc.evaluateRequest({ expression: 'got', frameId: mainFrame.id, context: 'watch' });
      assert.equal(got.body.result, '2');
      const third = await dc.evaluateRequest({ expression: 'reply[2]', frameId: mainFrame.id, context: 'watch' });
      assert.match(third.body.result, /'L'/);
    } finally {
      await dc.stop();
    }
  });
});
