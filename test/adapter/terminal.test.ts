/**
 * `"console": "integratedTerminal"`: the adapter asks the client to run its terminal helper
 * (runInTerminal); this client answers by spawning the command itself and plays the terminal —
 * what the guest writes arrives on the helper's stdout, what is typed into its stdin is what the
 * guest reads.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { startClient } from './client';
import { GCC, requireTool } from '../tools';

const GUEST = `#include <stdio.h>
#include <unistd.h>
int main(void)
{
	char line[100];
	printf("stdin is a terminal: %s\\n", isatty(0) ? "yes" : "no");
	printf("name? ");
	while (fgets(line, sizeof line, stdin))
		printf("got %s", line);
	printf("end of input\\n");
	return 0;
}
`;

/**
 * Makes `dc` answer the adapter's runInTerminal request by spawning the command; `input` is typed
 * at once and ends the terminal's input, or (null) the test types later through the child's stdin.
 */
function actAsTerminal(dc: DebugClient, input: string | null): Promise<ChildProcess> {
  // DebugClient only dispatches events and responses; reverse requests are taken here.
  const client = dc as unknown as { dispatch(body: string): void; outputStream: Writable };
  const dispatch = client.dispatch.bind(dc);
  return new Promise((resolve) => {
    client.dispatch = (body: string) => {
      const msg = JSON.parse(body) as DebugProtocol.ProtocolMessage;
      if (msg.type !== 'request' || (msg as DebugProtocol.Request).command !== 'runInTerminal') {
        dispatch(body);
        return;
      }
      const args = (msg as DebugProtocol.RunInTerminalRequest).arguments;
      const env = Object.fromEntries(Object.entries(args.env ?? {}).filter((e): e is [string, string] => e[1] !== null));
      const child = spawn(args.args[0], args.args.slice(1), { cwd: args.cwd, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'] });
      if (input !== null) child.stdin?.end(input);
      const response = JSON.stringify({ type: 'response', seq: 0, request_seq: msg.seq, command: 'runInTerminal', success: true, body: { processId: child.pid } });
      client.outputStream.write(`Content-Length: ${Buffer.byteLength(response)}\r\n\r\n${response}`);
      resolve(child);
    };
  });
}

/** Launches `program` on an integrated terminal `dc` runs itself (see actAsTerminal); resolves with the terminal's process. */
async function launchOnTerminal(dc: DebugClient, program: string, input: string | null): Promise<ChildProcess> {
  const terminal = actAsTerminal(dc, input);
  await dc.initializeRequest({ adapterID: 'forkscope', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsRunInTerminalRequest: true });
  const initialized = dc.waitForEvent('initialized');
  await dc.launchRequest({ program, console: 'integratedTerminal' } as DebugProtocol.LaunchRequestArguments);
  await initialized;
  return terminal;
}

describe('adapter: the integrated terminal', function () {
  let program = '';

  before(function () {
    requireTool(this, GCC);
    const dir = mkdtempSync(join(tmpdir(), 'forkscope-terminal-'));
    writeFileSync(join(dir, 'ask.c'), GUEST);
    program = join(dir, 'ask');
    const cc = spawnSync(GCC, ['-static', '-O0', '-o', program, join(dir, 'ask.c')], { encoding: 'utf8' });
    assert.equal(cc.status, 0, cc.stderr);
  });

  it('runs the program on the terminal: its output there, the terminal\'s input its stdin', async () => {
    const dc = await startClient();
    try {
      const child = await launchOnTerminal(dc, program, 'Ada\nGrace\n');
      let shown = '';
      child.stdout?.on('data', (b: Buffer) => (shown += b.toString()));
      const closed = new Promise((r) => child.on('close', r));
      const exited = dc.waitForEvent('exited');
      await dc.configurationDoneRequest();
      assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
      await dc.disconnectRequest({});
      await closed;
      assert.equal(shown, 'stdin is a terminal: yes\nname? got Ada\ngot Grace\nend of input\n');
    } finally {
      await dc.stop();
    }
  });

  it('a guest waiting for the terminal\'s input can be paused, asleep in n_tty_read, and goes on when a line is typed', async () => {
    const dc = await startClient();
    try {
      const child = await launchOnTerminal(dc, program, null);
      let shown = '';
      const prompted = new Promise<void>((resolve) => child.stdout?.on('data', (b: Buffer) => {
        shown += b.toString();
        if (shown.endsWith('name? ')) resolve();
      }));
      const stops: DebugProtocol.StoppedEvent[] = [];
      dc.on('stopped', (e: DebugProtocol.StoppedEvent) => stops.push(e));
      await dc.configurationDoneRequest();
      // The prompt is out: the guest is in fgets, its read() asleep until the user types.
      await prompted;
      const paused = dc.waitForEvent('stopped');
      await dc.pauseRequest({ threadId: 0 });
      const stop = (await paused) as DebugProtocol.StoppedEvent;
      assert.equal(stop.body.reason, 'pause');
      const threads = (await dc.threadsRequest()).body.threads;
      assert.match(threads.find((t) => t.id === stop.body.threadId)?.name ?? '', /ask$/);
      const frames = (await dc.stackTraceRequest({ threadId: stop.body.threadId ?? 0 })).body.stackFrames.map((f) => f.name);
      // Asleep on the tty's read_wait, under read() called by fgets in main.
      assert.deepEqual(frames.slice(0, 3), ['___wait_event', 'n_tty_read', 'tty_read'], frames.join(' < '));
      assert.ok(frames.includes('_IO_fgets') && frames.includes('main'), frames.join(' < '));
      // Continued, it waits again; what is typed then reaches it.
      await dc.continueRequest({ threadId: stop.body.threadId ?? 0 });
      const exited = dc.waitForEvent('exited');
      child.stdin?.end('Ada\n');
      assert.equal(((await exited) as DebugProtocol.ExitedEvent).body.exitCode, 0);
      const closed = new Promise((r) => child.on('close', r));
      await dc.disconnectRequest({});
      await closed;
      assert.equal(shown, 'stdin is a terminal: yes\nname? got Ada\nend of input\n');
      assert.deepEqual(stops.map((e) => e.body.reason), ['pause']);
    } finally {
      await dc.stop();
    }
  });

  it('falls back to the debug console when the client cannot run a terminal', async () => {
    const dc = await startClient();
    try {
      await dc.initializeRequest({ adapterID: 'forkscope', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
      const said: string[] = [];
      dc.on('output', (e: DebugProtocol.OutputEvent) => said.push(e.body.output));
      const initialized = dc.waitForEvent('initialized');
      await dc.launchRequest({ program, console: 'integratedTerminal' } as DebugProtocol.LaunchRequestArguments);
      await initialized;
      const terminated = dc.waitForEvent('terminated');
      await dc.configurationDoneRequest();
      await terminated;
      const text = said.join('');
      assert.match(text, /no integrated terminal \(the editor cannot run a terminal for it \(runInTerminal\)\)/);
      assert.match(text, /stdin is a terminal: no\nname\? end of input\n/);
    } finally {
      await dc.stop();
    }
  });
});
