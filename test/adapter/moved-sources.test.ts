/**
 * A student copies the examples folder somewhere else: the programs' debug information still
 * names `examples/cow.c` (the path it was compiled from), yet breakpoints set in the copy's source
 * must bind, and stops must show the copy's file.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXAMPLES, haveExample, launch, SOURCES, startClient, stopped, topFrames } from './client';

describe('adapter: sources that moved with their program', function () {
  before(function () {
    if (!haveExample('cow')) this.skip();
  });

  it('binds a line breakpoint in a copied examples folder and stops there', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'forkscope-copy-'));
    const dc = await startClient();
    try {
      mkdirSync(join(dir, 'bin'));
      copyFileSync(join(SOURCES, 'cow.c'), join(dir, 'cow.c'));
      copyFileSync(join(EXAMPLES, 'cow'), join(dir, 'bin', 'cow'));
      await launch(dc, { type: 'forkscope', request: 'launch', program: join(dir, 'bin', 'cow'), stopOnEntry: true });
      const entry = stopped(dc);
      await dc.configurationDoneRequest();
      const pid = (await entry).body.threadId as number;
      const set = await dc.setBreakpointsRequest({ source: { path: join(dir, 'cow.c') }, breakpoints: [{ line: 44 }] });
      assert.equal(set.body.breakpoints[0].verified, true, set.body.breakpoints[0].message);
      const hit = stopped(dc);
      await dc.continueRequest({ threadId: pid });
      assert.equal((await hit).body.reason, 'breakpoint');
      const [top] = await topFrames(dc, pid);
      assert.equal(top.line, 44);
      assert.equal(top.source?.path, join(dir, 'cow.c'));
    } finally {
      await dc.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
