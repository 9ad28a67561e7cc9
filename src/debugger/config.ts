/**
 * The launch configuration (`"type": "forkscope"` in launch.json) and its checks. Every mistake
 * is answered with one sentence naming the field, before any machine is built — a debug session
 * that starts must not fail later because of something the user could have been told at once.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { ElfError, parseElf, validateForExec } from '../elf';
import { TRACE_CATEGORIES } from '../kernel/trace';
import { loadRecording, sha256File, type InputLog, type Recording } from './recording';

/** What a user may write in launch.json (all optional except `program`). */
export interface LaunchConfig {
  program?: unknown;
  args?: unknown;
  env?: unknown;
  root?: unknown;
  cwd?: unknown;
  sysroot?: unknown;
  memory?: unknown;
  seed?: unknown;
  stopOnEntry?: unknown;
  console?: unknown;
  trace?: unknown;
  replay?: unknown;
}

export type ConsoleKind = 'internalConsole' | 'integratedTerminal';

/** A checked configuration: everything resolved to what the machine needs. */
export interface LaunchPlan {
  /** Host path of the ELF. */
  hostProgram: string;
  /** Host directory that is the guest's `/`. */
  root: string;
  /** The program as the guest names it (absolute guest path). */
  guestProgram: string;
  argv: string[];
  envp: string[];
  /** Guest working directory. */
  cwd: string;
  sysroot: string | undefined;
  memBytes: number;
  seed: number;
  stopOnEntry: boolean;
  console: ConsoleKind;
  trace: Set<string>;
  /** A recorded run to debug again (`forkscope run --record`): its input answers the guest's reads. */
  replay: { recording: Recording; log: InputLog } | undefined;
}

export class LaunchError extends Error {}

/** The guest's default environment: fixed, so runs are reproducible and independent of the host's (`forkscope run` gives the same). */
export const DEFAULT_ENV = ['PATH=/usr/local/bin:/usr/bin:/bin', 'HOME=/', 'TERM=dumb', 'LANG=C'];
export const DEFAULT_MEMORY = 256 * 1024 * 1024;
const MIN_MEMORY = 16 * 1024 * 1024;
/** Frame numbers must fit a PTE's low word (cpu/sv39.ts). */
const MAX_MEMORY = 16 * 1024 * 1024 * 1024 - 4096;

/**
 * Checks `c` and resolves its paths. `base` is the directory relative host paths start from
 * (the workspace folder in VS Code).
 */
export function planLaunch(c: LaunchConfig, base: string): LaunchPlan {
  if (typeof c.program !== 'string' || c.program === '') {
    throw new LaunchError('"program" must name the RISC-V ELF file to debug (a host path).');
  }
  const hostProgram = resolve(base, c.program);
  checkElf(hostProgram, c.program);
  const root = c.root === undefined ? dirOf(hostProgram) : resolve(base, str(c.root, 'root'));
  if (!isDir(root)) throw new LaunchError(`"root" (${root}) is not a directory: it must be the host folder that is the guest's "/".`);
  const inRoot = relative(root, hostProgram);
  if (inRoot.startsWith('..') || isAbsolute(inRoot)) {
    throw new LaunchError(`"program" (${hostProgram}) is outside "root" (${root}): the guest can only run files under its "/".`);
  }
  const guestProgram = '/' + inRoot.split(sep).join('/');
  const sysroot = c.sysroot === undefined ? undefined : resolve(base, str(c.sysroot, 'sysroot'));
  if (sysroot !== undefined && !isDir(sysroot)) throw new LaunchError(`"sysroot" (${sysroot}) is not a directory.`);
  const cwd = c.cwd === undefined ? '/' : str(c.cwd, 'cwd');
  if (!cwd.startsWith('/')) throw new LaunchError(`"cwd" (${cwd}) must be an absolute path in the guest, such as "/" or "/tmp".`);
  if (c.replay !== undefined) return replayPlan(c, base, { hostProgram, root, guestProgram, sysroot, cwd });
  return {
    hostProgram, root, guestProgram, sysroot, cwd,
    argv: [guestProgram, ...strings(c.args, 'args')],
    envp: environment(c.env),
    memBytes: memory(c.memory),
    seed: seed(c.seed),
    stopOnEntry: bool(c.stopOnEntry, 'stopOnEntry', false),
    console: consoleKind(c.console),
    trace: trace(c.trace),
    replay: undefined,
  };
}

/**
 * A launch of a recorded run: the recording gives what the run depended on (arguments, memory,
 * seed, the terminal's input) and runs the program as it was named then; `program` must be the
 * file that was recorded, at the same place under `root`.
 */
function replayPlan(c: LaunchConfig, base: string, where: Pick<LaunchPlan, 'hostProgram' | 'root' | 'guestProgram' | 'sysroot' | 'cwd'>): LaunchPlan {
  const file = resolve(base, str(c.replay, 'replay'));
  let loaded: { recording: Recording; log: InputLog };
  try {
    loaded = loadRecording(file);
  } catch (e) {
    throw new LaunchError(`"replay": ${(e as Error).message}`);
  }
  const r = loaded.recording;
  for (const field of ['args', 'env', 'memory', 'seed', 'cwd'] as const) {
    if (c[field] !== undefined) throw new LaunchError(`"${field}" cannot be given with "replay": the recording fixes it.`);
  }
  if (resolve(where.root, '.' + (r.program.startsWith('/') ? r.program : `/${r.program}`)) !== where.hostProgram) {
    throw new LaunchError(`"replay": the recording ran ${r.program} in its root; "program" must be that file under "root" (${where.root}).`);
  }
  if (sha256File(where.hostProgram) !== r.programSha256) {
    throw new LaunchError(`"replay": ${where.hostProgram} is not the program that was recorded (its SHA-256 differs): rebuilt since?`);
  }
  return {
    ...where,
    // As the recorded run named it: argv[0] is part of what the program saw.
    argv: [r.program, ...r.args],
    envp: [...DEFAULT_ENV],
    memBytes: r.memBytes,
    seed: r.seed,
    stopOnEntry: bool(c.stopOnEntry, 'stopOnEntry', false),
    console: 'internalConsole',
    trace: trace(c.trace),
    replay: loaded,
  };
}

function checkElf(path: string, given: string): void {
  if (!existsSync(path)) throw new LaunchError(`"program": ${given} does not exist (looked for ${path}).`);
  if (!statSync(path).isFile()) throw new LaunchError(`"program": ${path} is not a file.`);
  let why: string | undefined;
  try {
    why = validateForExec(parseElf(new Uint8Array(readFileSync(path))));
  } catch (e) {
    if (!(e instanceof ElfError)) throw e;
    why = e.message;
  }
  if (why !== undefined) throw new LaunchError(`"program": ${path} cannot be run: ${why}`);
}

function dirOf(path: string): string {
  return resolve(path, '..');
}

function isDir(p: string): boolean {
  return existsSync(p) && statSync(p).isDirectory();
}

function str(v: unknown, field: string): string {
  if (typeof v !== 'string' || v === '') throw new LaunchError(`"${field}" must be a non-empty string.`);
  return v;
}

function bool(v: unknown, field: string, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  if (typeof v !== 'boolean') throw new LaunchError(`"${field}" must be true or false.`);
  return v;
}

function strings(v: unknown, field: string): string[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((a) => typeof a === 'string')) throw new LaunchError(`"${field}" must be an array of strings.`);
  return v as string[];
}

/** `env` is an object: a string value sets a variable, null removes one from the defaults. */
function environment(v: unknown): string[] {
  if (v === undefined) return [...DEFAULT_ENV];
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new LaunchError('"env" must be an object such as { "NAME": "value" } (null removes a default variable).');
  }
  const env = new Map(DEFAULT_ENV.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
  for (const [name, value] of Object.entries(v as Record<string, unknown>)) {
    if (name === '' || name.includes('=')) throw new LaunchError(`"env": "${name}" is not a variable name.`);
    if (value === null) env.delete(name);
    else if (typeof value === 'string') env.set(name, value);
    else throw new LaunchError(`"env": the value of ${name} must be a string or null.`);
  }
  return [...env].map(([n, val]) => `${n}=${val}`);
}

/** `memory`: bytes, or a size such as "64M", "1G", "512MiB". */
function memory(v: unknown): number {
  if (v === undefined) return DEFAULT_MEMORY;
  let n: number;
  if (typeof v === 'number') {
    n = v;
  } else if (typeof v === 'string') {
    const m = /^(\d+)\s*([KMG]?)(i?B)?$/i.exec(v.trim());
    if (m === null) throw new LaunchError(`"memory": "${v}" is not a size; write e.g. "64M" or "1G".`);
    n = Number(m[1]) * { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 }[m[2].toUpperCase() as '' | 'K' | 'M' | 'G'];
  } else {
    throw new LaunchError('"memory" must be a size such as "64M" or a number of bytes.');
  }
  if (!Number.isSafeInteger(n) || n < MIN_MEMORY) throw new LaunchError(`"memory": ${String(v)} is too small; the kernel needs at least 16M.`);
  if (n > MAX_MEMORY) throw new LaunchError(`"memory": ${String(v)} is too large; at most 16G minus 4K.`);
  return n;
}

function seed(v: unknown): number {
  if (v === undefined) return 0;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new LaunchError('"seed" must be a non-negative integer.');
  return v;
}

function consoleKind(v: unknown): ConsoleKind {
  if (v === undefined) return 'internalConsole';
  if (v === 'internalConsole' || v === 'integratedTerminal') return v;
  throw new LaunchError('"console" must be "internalConsole" or "integratedTerminal".');
}

/** `trace`: true for every category, or a list of categories. */
function trace(v: unknown): Set<string> {
  if (v === undefined || v === false) return new Set();
  if (v === true) return new Set(TRACE_CATEGORIES);
  const known = TRACE_CATEGORIES as readonly string[];
  if (!Array.isArray(v) || !v.every((c) => typeof c === 'string' && known.includes(c))) {
    throw new LaunchError(`"trace" must be true or a list of categories among ${known.join(', ')}.`);
  }
  return new Set(v as string[]);
}
