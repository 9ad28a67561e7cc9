// The debugger's responsiveness, measured as an editor sees it: a DAP client drives
// dist/adapter.js over stdio and times request → response/event round trips. Bundled to
// dist/bench-debugger.js and run by scripts/bench/debugger.ts, which prints the medians; this
// prints them as JSON.
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { join } from 'node:path';

const root = process.argv[2];
const samples = Math.max(5, Number(process.argv[3] ?? 30));
/** scripts/bench/guests/sleepers built for riscv64, when the cross compiler is there. */
const sleepers = process.argv[4];

function ms(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e6;
}

async function session(): Promise<DebugClient> {
  const dc = new DebugClient(process.execPath, join(root, 'dist', 'adapter.js'), 'forkscope');
  dc.defaultTimeout = 120_000;
  await dc.start();
  await dc.initializeRequest({ adapterID: 'forkscope', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
  return dc;
}

async function launchToStop(dc: DebugClient, program: string): Promise<{ ms: number; thread: number }> {
  const start = process.hrtime.bigint();
  const initialized = dc.waitForEvent('initialized');
  await dc.launchRequest({ program: join(root, 'examples', 'bin', program), stopOnEntry: true } as DebugProtocol.LaunchRequestArguments);
  await initialized;
  const stopped = dc.waitForEvent('stopped');
  await dc.configurationDoneRequest();
  const e = (await stopped) as DebugProtocol.StoppedEvent;
  return { ms: ms(start), thread: e.body.threadId as number };
}

/**
 * pause → stopped while `program` runs, sent once `ready` says so (counting the threads the
 * adapter has announced): the latency the issue bounds at 50 ms.
 */
async function pauseLatency(program: string, args: string[], ready: (threads: number, elapsedMs: number) => boolean): Promise<number> {
  const dc = await session();
  const initialized = dc.waitForEvent('initialized');
  await dc.launchRequest({ program, args } as DebugProtocol.LaunchRequestArguments);
  await initialized;
  let threads = 0;
  dc.on('thread', (e: DebugProtocol.ThreadEvent) => {
    threads += e.body.reason === 'started' ? 1 : e.body.reason === 'exited' ? -1 : 0;
  });
  const launched = process.hrtime.bigint();
  await dc.configurationDoneRequest();
  while (!ready(threads, ms(launched))) await new Promise((r) => setTimeout(r, 2));
  const stopped = dc.waitForEvent('stopped');
  const start = process.hrtime.bigint();
  await dc.pauseRequest({ threadId: 1 });
  await stopped;
  const t = ms(start);
  await dc.stop();
  return t;
}

/**
 * Breakpoints examples/bin/bench never reaches: its usage-error lines, C library functions it
 * links but does not call, and kernel functions of system calls no task makes.
 */
const UNHIT_LINES = [91, 92];
const UNHIT_FUNCTIONS = ['abort', '__libc_fatal', 'qsort', '__assert_fail', 'raise', '__getpid',
  'wait_for_vfork_done', 'sys_kill', 'sys_pipe2', 'sys_wait4', 'futex_wait', 'pipe_read', 'sys_clone', 'sys_nanosleep',
  'sys_mremap', 'sys_rt_sigreturn', 'sys_dup3', 'sys_getppid'];

/**
 * One run of `bench 0.1` under the debugger, configurationDone → terminated, with or without
 * the unhit breakpoints. Returns its time, how many breakpoints were verified and how many stops
 * happened (each continued; a stop means a breakpoint was not unhit after all).
 */
async function benchRun(withBreakpoints: boolean): Promise<{ ms: number; verified: number; stops: number }> {
  const dc = await session();
  const initialized = dc.waitForEvent('initialized');
  await dc.launchRequest({ program: join(root, 'examples', 'bin', 'bench'), args: ['0.1'] } as DebugProtocol.LaunchRequestArguments);
  await initialized;
  let verified = 0;
  if (withBreakpoints) {
    const lines = await dc.setBreakpointsRequest({ source: { path: join(root, 'examples', 'bench.c') }, breakpoints: UNHIT_LINES.map((line) => ({ line })) });
    const fns = await dc.setFunctionBreakpointsRequest({ breakpoints: UNHIT_FUNCTIONS.map((name) => ({ name })) });
    verified = [...lines.body.breakpoints, ...fns.body.breakpoints].filter((b) => b.verified).length;
  }
  let stops = 0;
  dc.on('stopped', (e: DebugProtocol.StoppedEvent) => {
    stops++;
    void dc.continueRequest({ threadId: e.body.threadId as number });
  });
  const terminated = dc.waitForEvent('terminated');
  const start = process.hrtime.bigint();
  await dc.configurationDoneRequest();
  await terminated;
  const t = ms(start);
  await dc.stop();
  return { ms: t, verified, stops };
}

async function main(): Promise<void> {
  const out: Record<string, number[]> = { launch: [], next: [], stepBack: [], stepBackLong: [], pauseLoop: [], pauseTasks: [],
    stackTrace: [], taskStruct: [], bare: [], unhit: [], unhitVerified: [], unhitStops: [] };

  // pause in a tight loop (bench), and with 2,000 tasks (sleepers forking them, all asleep).
  for (let i = 0; i < 5; i++) {
    out.pauseLoop.push(await pauseLatency(join(root, 'examples', 'bin', 'bench'), ['1'], (_n, elapsed) => elapsed > 100));
    if (sleepers !== undefined) out.pauseTasks.push(await pauseLatency(sleepers, ['2000'], (n) => n >= 2000));
  }

  // The run loop with and without 20 unhit breakpoints, alternating so drift hits both alike.
  for (let i = 0; i < Math.max(3, Math.round(samples / 10)); i++) {
    out.bare.push((await benchRun(false)).ms);
    const r = await benchRun(true);
    out.unhit.push(r.ms);
    out.unhitVerified.push(r.verified);
    out.unhitStops.push(r.stops);
  }

  // launch → first stop, and `next` → stopped through fork-wait's main.
  for (let i = 0; i < Math.min(samples, 10); i++) {
    const dc = await session();
    const { ms: t, thread } = await launchToStop(dc, 'fork-wait');
    out.launch.push(t);
    if (i === 0) {
      await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'main' }] });
      let s = dc.waitForEvent('stopped');
      await dc.continueRequest({ threadId: thread });
      await s;
      await dc.setFunctionBreakpointsRequest({ breakpoints: [] });
      for (let n = 0; n < samples; n++) {
        s = dc.waitForEvent('stopped');
        const start = process.hrtime.bigint();
        await dc.nextRequest({ threadId: thread });
        await s;
        out.next.push(ms(start));
        const top = (await dc.stackTraceRequest({ threadId: thread, levels: 1 })).body.stackFrames[0];
        if (top?.name !== 'main') break;
      }
      // Step back a line and forwards again, in main: each step back replays from boot.
      for (let n = 0; n < Math.min(samples, 10); n++) {
        s = dc.waitForEvent('stopped');
        const start = process.hrtime.bigint();
        await dc.stepBackRequest({ threadId: thread });
        await s;
        out.stepBack.push(ms(start));
        s = dc.waitForEvent('stopped');
        await dc.nextRequest({ threadId: thread });
        await s;
      }
    }
    await dc.stop();
  }

  // A step back by instruction late in a long run (bench 0.1, stopped in exit): the replay's cost.
  for (let i = 0; i < 3; i++) {
    const dc = await session();
    const initialized = dc.waitForEvent('initialized');
    await dc.launchRequest({ program: join(root, 'examples', 'bin', 'bench'), args: ['0.1'] } as DebugProtocol.LaunchRequestArguments);
    await initialized;
    await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'exit' }] });
    let s = dc.waitForEvent('stopped');
    await dc.configurationDoneRequest();
    const thread = ((await s) as DebugProtocol.StoppedEvent).body.threadId as number;
    s = dc.waitForEvent('stopped');
    const start = process.hrtime.bigint();
    await dc.stepBackRequest({ threadId: thread, granularity: 'instruction' });
    await s;
    out.stepBackLong.push(ms(start));
    await dc.stop();
  }

  // stackTrace with kernel frames, and the variables of a task_struct, stopped in copy_process.
  const dc = await session();
  const { thread } = await launchToStop(dc, 'fork-wait');
  await dc.setFunctionBreakpointsRequest({ breakpoints: [{ name: 'copy_process' }] });
  const s = dc.waitForEvent('stopped');
  await dc.continueRequest({ threadId: thread });
  const e = (await s) as DebugProtocol.StoppedEvent;
  const tid = e.body.threadId as number;
  let frameId = 0;
  for (let n = 0; n < samples; n++) {
    const start = process.hrtime.bigint();
    const frames = (await dc.stackTraceRequest({ threadId: tid })).body.stackFrames;
    out.stackTrace.push(ms(start));
    frameId = frames[0].id;
  }
  for (let n = 0; n < samples; n++) {
    const start = process.hrtime.bigint();
    const scopes = (await dc.scopesRequest({ frameId })).body.scopes;
    const taskScope = scopes.find((x) => x.name === 'Task');
    const [task] = (await dc.variablesRequest({ variablesReference: taskScope?.variablesReference ?? 0 })).body.variables;
    await dc.variablesRequest({ variablesReference: task.variablesReference });
    out.taskStruct.push(ms(start));
  }
  await dc.stop();
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
});
