/**
 * Going back in time over DAP, as VS Code's Step Back and Reverse buttons do it: step over fork,
 * step back to before it (the child's thread goes away), reverse-continue to the previous
 * breakpoint hit, and forward again into the same run.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { EXAMPLES, haveExample, launch, SOURCES, startClient, stopped, topFrames } from './client';

describe('adapter: stepping back and reverse-continue over DAP', function () {
  let dc: DebugClient;

  before(function () {
    if (!haveExample('cow')) this.skip();
  });

  beforeEach(async () => {
    dc = await startClient();
  });

  afterEach(async () => {
    await dc.stop();
  });

  it('steps back over fork and reverse-continues to the previous breakpoint', async () => {
    const init = await dc.initializeRequest({ adapterID: 'forkscope', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
    assert.equal(init.body?.supportsStepBack, true);
    const source = join(SOURCES, 'cow.c');
    await launch(dc, { type: 'forkscope', request: 'launch', program: join(EXAMPLES, 'cow') });
    await dc.setBreakpointsRequest({ source: { path: source }, breakpoints: [{ line: 37 }, { line: 44 }] });
    let stop = stopped(dc);
    await dc.configurationDoneRequest();
    const at37 = await stop;
    const pid = at37.body.threadId as number;
    assert.equal((await topFrames(dc, pid))[0].line, 37);

    stop = stopped(dc);
    await dc.continueRequest({ threadId: pid });
    await stop;
    assert.equal((await topFrames(dc, pid))[0].line, 44);
    const before = (await dc.threadsRequest()).body.threads.length;

    stop = stopped(dc);
    await dc.nextRequest({ threadId: pid });
    await stop;
    assert.equal((await topFrames(dc, pid))[0].line, 45);
    assert.equal((await dc.threadsRequest()).body.threads.length, before + 1, 'the child is a thread');

    const gone = dc.waitForEvent('thread');
    stop = stopped(dc);
    await dc.stepBackRequest({ threadId: pid });
    const back = await stop;
    assert.equal(back.body.reason, 'step');
    assert.equal((await topFrames(dc, pid))[0].line, 44);
    assert.equal((await gone).body.reason, 'exited');
    assert.equal((await dc.threadsRequest()).body.threads.length, before, 'before the fork there is no child');

    stop = stopped(dc);
    await dc.reverseContinueRequest({ threadId: pid });
    const previous = await stop;
    assert.equal(previous.body.reason, 'breakpoint');
    assert.equal((await topFrames(dc, pid))[0].line, 37);

    // Forward again: the same run, stopping where it stopped before.
    stop = stopped(dc);
    await dc.continueRequest({ threadId: pid });
    await stop;
    assert.equal((await topFrames(dc, pid))[0].line, 44);
  });
});
