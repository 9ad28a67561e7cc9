/**
 * `"console": "integratedTerminal"`: the guest's descriptors 0, 1 and 2 are the editor's terminal.
 *
 * The adapter asks the editor (DAP `runInTerminal`) to run a small helper in a terminal — this
 * adapter's own script with `--terminal <dir>` — and the two meet at two named pipes in a private
 * temporary directory: the guest's output goes adapter → `out` → helper → terminal, what the user
 * types goes terminal → helper → `in` → adapter. The console is asynchronous
 * (kernel/drivers/tty/console.ts): `in` is read as input arrives, without ever blocking the
 * adapter, and each chunk goes to the debugger, which pushes it into the kernel — a guest's
 * read() meanwhile sleeps in n_tty_read, and the session answers pause and everything else.
 * The terminal stays in its cooked mode, so it echoes and edits lines as a real tty's line
 * discipline would; the end of its input (^D) reaches the guest as the terminal's VEOF, and the
 * helper's end (the terminal closed) as a hangup.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, createWriteStream, mkdtempSync, open, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AsyncConsole, winsize } from '../kernel/drivers/tty/console';
import { EOF_CHAR } from '../kernel/drivers/tty/n_tty';
import { EPIPE } from '../kernel/errno';

/** The command line the editor runs in its terminal, and where it will connect. */
export interface TerminalLink {
  readonly dir: string;
  readonly args: string[];
}

/** A connected terminal: the guest's console until the session ends. */
export interface TerminalConsole extends AsyncConsole {
  close(): void;
}

const HELPER_FLAG = '--terminal';

/** The helper's arguments when `argv` (the adapter's) asks for it: its directory, or undefined. */
export function terminalHelperDir(argv: readonly string[]): string | undefined {
  const i = argv.indexOf(HELPER_FLAG);
  return i >= 0 ? argv[i + 1] : undefined;
}

/** Creates the meeting point; `script` is the adapter's script, which the helper runs. */
export function prepareTerminal(script: string): TerminalLink {
  const dir = mkdtempSync(join(tmpdir(), 'forkscope-tty-'));
  const made = spawnSync('mkfifo', ['-m', '600', join(dir, 'in'), join(dir, 'out')], { encoding: 'utf8' });
  if (made.status !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`cannot create the terminal's named pipes: ${(made.stderr || made.error?.message || 'mkfifo failed').trim()}`);
  }
  return { dir, args: [process.execPath, script, HELPER_FLAG, dir] };
}

/**
 * Opens a FIFO, which waits for the other side: fs.open does that off the event loop. (Its plain
 * descriptor stays open until closed; a FileHandle would be closed when garbage collected.)
 */
function openFifo(path: string, flags: 'r' | 'w'): Promise<number> {
  return new Promise((resolve, reject) => open(path, flags, (err, fd) => (err === null ? resolve(fd) : reject(err))));
}

/** Waits for the helper to open its ends (at most `timeoutMs`) and returns the console. */
export async function connectTerminal(link: TerminalLink, timeoutMs: number): Promise<TerminalConsole> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the terminal did not connect within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    const [out, input] = await Promise.race([Promise.all([openFifo(join(link.dir, 'out'), 'w'), openFifo(join(link.dir, 'in'), 'r')]), timeout]);
    return terminalConsole(link.dir, out, input, readSize(link.dir));
  } catch (e) {
    rmSync(link.dir, { recursive: true, force: true });
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

function readSize(dir: string): winsize {
  try {
    const s = JSON.parse(readFileSync(join(dir, 'size'), 'utf8')) as Partial<winsize>;
    return { rows: s.rows ?? 24, cols: s.cols ?? 80 };
  } catch {
    return { rows: 24, cols: 80 };
  }
}

function terminalConsole(dir: string, outFd: number, inFd: number, size: winsize): TerminalConsole {
  let open = true;
  // The `in` FIFO as a non-blocking pipe handle: data events as the user types, never a wait.
  let input: Socket | null = null;
  return {
    write(_fd, src) {
      try {
        return writeSync(outFd, src);
      } catch {
        // The terminal was closed: the guest sees what a writer to a closed tty's pipe sees.
        return -EPIPE;
      }
    },
    // A terminal is open for reading on every descriptor: all read what the user types.
    listen(deliver) {
      input = new Socket({ fd: inFd, readable: true, writable: false });
      input.on('data', (b: Buffer) => deliver(new Uint8Array(b)));
      // The helper has gone: the terminal was closed.
      input.on('end', () => deliver(null));
      input.on('error', () => deliver(null));
    },
    isatty: () => true,
    winsize: () => size,
    close() {
      if (!open) return;
      open = false;
      closeSync(outFd);
      if (input === null) closeSync(inFd);
      else input.removeAllListeners().on('error', () => undefined).destroy();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The helper, run by the editor in its terminal: reports the terminal's size, then copies the
 * guest's output to the terminal and the terminal's input to the guest until the adapter closes.
 * The end of the terminal's input (^D, which its cooked mode turns into the end of the helper's
 * stdin) is sent on as the VEOF character, so that the guest's read returns 0 as on a terminal
 * — while output still shows — rather than as a hangup.
 */
export function runTerminalHelper(dir: string): void {
  writeFileSync(join(dir, 'size'), JSON.stringify({ rows: process.stdout.rows ?? 24, cols: process.stdout.columns ?? 80 }));
  const out = createReadStream(join(dir, 'out'));
  out.pipe(process.stdout);
  out.on('end', () => process.exit(0));
  const input = createWriteStream(join(dir, 'in'));
  // The adapter closed its end: the session is over.
  input.on('error', () => process.exit(0));
  process.stdin.pipe(input, { end: false });
  process.stdin.on('end', () => input.write(new Uint8Array([EOF_CHAR])));
}
