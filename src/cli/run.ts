/**
 * `forkscope run`: boot the emulated kernel, run PROGRAM to the end, and exit with its status.
 * The CLI prints nothing of its own unless asked (--trace, --dmesg, --stats) or on its own error.
 */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { compareEnds, InputLog, loadRecording, recordedConsole, sha256File, toRecording, type RunEnd } from '../debugger/recording';
import { host_console } from '../kernel/drivers/tty/host_console';
import { errnoName } from '../kernel/errno';
import { start_kernel, type init_result } from '../kernel/init/main';
import { Kernel } from '../kernel/kernel';
import { set_kernel } from '../kernel/kfunc';
import { formatLogRecord } from '../kernel/printk';
import { snapshot } from '../kernel/snapshot';
import { formatTraceEvent } from '../kernel/trace';
import type { RunOptions } from './args';
import { DEFAULT_ENV } from '../debugger/config';


/** Instructions per call of Kernel.run: small enough to stay responsive to the host. */
const SLICE = 50_000_000;

const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory', EACCES: 'Permission denied', ENOEXEC: 'Exec format error',
  E2BIG: 'Argument list too long', ENOMEM: 'Cannot allocate memory', ELOOP: 'Too many levels of symbolic links',
  ENOTDIR: 'Not a directory', EISDIR: 'Is a directory', ENAMETOOLONG: 'File name too long',
  ELIBBAD: 'Accessing a corrupted shared library', ETXTBSY: 'Text file busy',
};

function say(line: string): void {
  process.stderr.write(`forkscope: ${line}\n`);
}

/** Exit status of a replay that did not end as its recording did. */
export const REPLAY_DIVERGED = 125;

/** Runs the program; returns the exit status for the host process. */
export function run(options: RunOptions): number {
  const started = process.hrtime.bigint();
  let replay: ReturnType<typeof loadRecording> | null = null;
  let o = options;
  try {
    if (o.replay !== undefined) {
      replay = loadRecording(o.replay);
      const r = replay.recording;
      o = { ...o, program: r.program, args: [...r.args], memBytes: r.memBytes, seed: r.seed };
    }
  } catch (e) {
    say((e as Error).message);
    return 2;
  }
  const recorded = o.record !== undefined || replay !== null;
  const programFile = programHostPath(o);
  if (replay !== null && programFile !== null && sha256File(programFile) !== replay.recording.programSha256) {
    say(`${o.program} is not the program that was recorded (its SHA-256 differs): rebuilt since?`);
    return 2;
  }
  const log = replay?.log ?? new InputLog();
  const rc = recorded ? recordedConsole(host_console(), log, replay?.recording ?? null) : null;
  const k = new Kernel({ memBytes: o.memBytes, seed: o.seed, root: o.root, sysroot: o.sysroot, console: rc?.console ?? host_console() });
  // A state dump shows where each sleeping task sleeps, down to our source line.
  k.captureKernelLines = o.dumpState !== undefined;
  if (o.trace.size > 0) {
    o.trace.forEach((c) => k.traceEnabled.add(c));
    k.traceSinks.push((e) => process.stderr.write(formatTraceEvent(e) + '\n'));
  }
  let result: init_result;
  try {
    result = start_kernel(k, { filename: o.program, argv: [o.program, ...o.args], envp: DEFAULT_ENV });
  } catch (e) {
    // A root or sysroot directory that cannot be used: say which, in one line.
    say((e as Error).message);
    return 2;
  }
  let deadlock = false;
  for (;;) {
    const r = k.run(SLICE);
    if (r.kind === 'exited') break;
    if (r.kind === 'idle') {
      deadlock = true;
      break;
    }
  }
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (o.dmesg) for (const rec of k.log) process.stderr.write(formatLogRecord(rec) + '\n');
  if (o.dumpState !== undefined) {
    set_kernel(k);
    writeFileSync(o.dumpState, JSON.stringify(snapshot(k), null, 2) + '\n');
  }
  if (o.stats) {
    const n = k.hart.instret;
    say(`instructions=${n} wall=${wall.toFixed(3)}s mips=${(n / wall / 1e6).toFixed(1)}`);
  }
  const exitCode = statusOf(o, result, deadlock);
  if (rc === null) return exitCode;
  const end: RunEnd = { exitCode, instructions: k.hart.instret, steps: k.steps, outputSha256: rc.outputSha256() };
  if (replay !== null) {
    const differences = compareEnds(replay.recording.end, end);
    if (log.exhausted) differences.unshift('it read more input than was recorded');
    if (differences.length > 0) {
      say(`the replay did not end as ${o.replay} did: ${differences.join('; ')}`);
      return REPLAY_DIVERGED;
    }
    return exitCode;
  }
  const recording = toRecording({ program: o.program, args: o.args, memBytes: o.memBytes, seed: o.seed,
    programSha256: programFile === null ? '' : sha256File(programFile), terminals: rc.terminals, end }, log);
  try {
    writeFileSync(o.record as string, JSON.stringify(recording) + '\n');
  } catch (e) {
    say(`cannot write the recording: ${(e as Error).message}`);
    return 2;
  }
  return exitCode;
}

/** The exit status of the run, as a shell would report it; says why when the kernel stopped it. */
function statusOf(o: RunOptions, result: init_result, deadlock: boolean): number {
  if (result.exec_errno !== 0) {
    const name = errnoName(result.exec_errno);
    say(result.exec_message ?? `${o.program}: ${STRERROR[name] ?? name}`);
    return result.exec_errno === 2 ? 127 : 126;
  }
  if (deadlock) {
    say('every task is asleep and nothing can wake them; stopping');
    return 124;
  }
  const status = result.status ?? 0;
  const sig = status & 0x7f;
  return sig !== 0 ? 128 + sig : (status >> 8) & 0xff;
}

/** The host file of the program (under the root, else the sysroot), or null when neither has it. */
function programHostPath(o: RunOptions): string | null {
  const inGuest = o.program.startsWith('/') ? o.program : `/${o.program}`;
  for (const dir of [o.root, o.sysroot]) {
    if (dir === undefined) continue;
    const p = join(resolve(dir), inGuest);
    if (existsSync(p) && statSync(p).isFile()) return p;
  }
  return null;
}
