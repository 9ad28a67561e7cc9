// Running an example under forkscope, under qemu-riscv64 and natively, the same way each time:
// the fixed guest environment, stdin from /dev/null (or the example's input), no core files, and the outcome as
// {status, stdout, stderr} with a signal death folded into 128 + N like a shell does.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import type { Example } from './manifest';

export const repoRoot = resolve(__dirname, '..', '..');
export const binDir = join(repoRoot, 'examples', 'bin');
export const cliPath = join(repoRoot, 'dist', 'cli.js');
/** The riscv64 sysroot of Debian's cross toolchain: ld.so and libc.so.6 for dynamic guests. */
export const sysroot = '/usr/riscv64-linux-gnu';

/** The environment forkscope gives every guest, in its order; the references get the same. */
export const GUEST_ENV: Record<string, string> = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HOME: '/',
  TERM: 'dumb',
  LANG: 'C',
};

export interface Outcome {
  status: number;
  stdout: string;
  stderr: string;
}

/** The absolute path of a host command, or undefined when it is not installed. */
export function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    if (dir !== '' && existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Generous: a wedged run should fail the test, not hang the suite. */
const RUN_TIMEOUT_MS = 240_000;

function runProgram(command: string, args: string[], cwd: string, stdin: string | undefined): Outcome {
  const result = spawnSync(command, args, {
    cwd,
    env: GUEST_ENV,
    encoding: 'utf8',
    input: stdin,
    stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    timeout: RUN_TIMEOUT_MS,
    maxBuffer: 64 << 20,
  });
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}`);
  let status = result.status;
  if (status === null && result.signal !== null) status = 128 + constants.signals[result.signal];
  if (status === null) throw new Error(`${command} ${args.join(' ')}: no exit status`);
  return { status, stdout: result.stdout, stderr: result.stderr };
}

/**
 * Reference runs go through prlimit --core=0: a crashing guest would otherwise leave a core file
 * in examples/bin/ on a machine whose core limit is not 0.
 */
function withoutCoreFiles(command: string, args: string[]): [string, string[]] {
  const prlimit = which('prlimit');
  return prlimit ? [prlimit, ['--core=0', '--', command, ...args]] : [command, args];
}

export function runForkscope(example: Example): Outcome {
  const args = [cliPath, 'run', '--root', binDir];
  if (example.dynamic) args.push('-L', sysroot);
  if (example.mem) args.push('--mem', example.mem);
  args.push(`./${example.name}`, ...(example.args ?? []));
  return runProgram(process.execPath, args, binDir, example.stdin);
}

export function runQemu(qemu: string, example: Example): Outcome {
  const args = [...(example.dynamic ? ['-L', sysroot] : []), `./${example.name}`, ...(example.args ?? [])];
  return runProgram(...withoutCoreFiles(qemu, args), binDir, example.stdin);
}

/** A folder with x86-64 builds of an example and of what it needs; remove it with dispose(). */
export class NativeBuild {
  readonly dir = mkdtempSync(join(tmpdir(), 'forkscope-native-'));

  constructor(private readonly gcc: string, example: Example) {
    for (const name of [example.name, ...(example.needs ?? [])]) {
      const source = join(repoRoot, 'examples', `${name}.c`);
      if (existsSync(source)) this.compile(source, name);
      else copyFileSync(join(binDir, name), join(this.dir, name)); // data files keep their mode
    }
  }

  private compile(source: string, name: string): void {
    const result = spawnSync(this.gcc, ['-g', '-O0', '-pthread', '-o', join(this.dir, name), source, '-lm'],
      { encoding: 'utf8' });
    if (result.status !== 0) throw new Error(`gcc ${source} failed:\n${result.stderr}`);
  }

  run(example: Example): Outcome {
    return runProgram(...withoutCoreFiles(`./${example.name}`, example.args ?? []), this.dir, example.stdin);
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
