/**
 * code-server (VS Code's web build, from npm) for the end-to-end test: where scripts/e2e/install.sh
 * put it, and one isolated instance per run — its own user data, extensions, config and XDG
 * folders, so nothing is read from or written to the home directory, bound to 127.0.0.1 on a free
 * port, in its own process group so that stopping it also ends the extension host and the pty host
 * it starts (killing only the main pid once left an extension host running).
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The newest code-server that runs on Node 20 (4.103 and later want Node 22). */
export const CODE_SERVER_VERSION = process.env.FORKSCOPE_E2E_CODE_SERVER_VERSION ?? '4.100.3';

/** Where install.sh keeps code-server between runs (outside the repository). */
export function cacheDir(): string {
  return process.env.FORKSCOPE_E2E_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'forkscope-e2e');
}

/** The code-server launcher, or undefined when install.sh has not completed an install. */
export function codeServerBin(): string | undefined {
  const dir = join(cacheDir(), `code-server-${CODE_SERVER_VERSION}`);
  const bin = join(dir, 'node_modules', '.bin', 'code-server');
  return existsSync(join(dir, '.complete')) && existsSync(bin) ? bin : undefined;
}

/** User settings for a test run: no Restricted Mode, no welcome page, nothing phoned home. */
const SETTINGS = {
  'security.workspace.trust.enabled': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
};

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls `check` every `everyMs` until it holds; throws "`what` … within N s" after `timeoutMs`. */
export async function waitUntil(check: () => boolean | Promise<boolean>, what: string, timeoutMs: number, everyMs = 250): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

export class CodeServer {
  private exited = false;

  private constructor(private readonly child: ChildProcess, readonly port: number, readonly logFile: string) {
    child.once('exit', () => { this.exited = true; });
    // Should mocha itself die, the group must not outlive it.
    process.once('exit', this.killGroup);
  }

  /** Installs the .vsix into a fresh extensions folder under `runDir`, then serves `folder`. */
  static async start(bin: string, runDir: string, vsix: string): Promise<CodeServer> {
    const userData = join(runDir, 'user-data');
    mkdirSync(join(userData, 'User'), { recursive: true });
    writeFileSync(join(userData, 'User', 'settings.json'), JSON.stringify(SETTINGS, null, 2));
    const config = join(runDir, 'code-server.yaml');
    writeFileSync(config, 'auth: none\ncert: false\n');
    const env = { ...process.env, XDG_CONFIG_HOME: join(runDir, 'xdg-config'), XDG_DATA_HOME: join(runDir, 'xdg-data') };
    const dirs = ['--user-data-dir', userData, '--extensions-dir', join(runDir, 'extensions'), '--config', config];
    execFileSync(bin, [...dirs, '--install-extension', vsix], { env, stdio: 'pipe', timeout: 120_000 });

    const port = await freePort();
    const logFile = join(runDir, 'code-server.log');
    const log = openSync(logFile, 'w');
    const child = spawn(bin, [
      ...dirs, '--bind-addr', `127.0.0.1:${port}`, '--auth', 'none',
      '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust',
    ], { env, stdio: ['ignore', log, log], detached: true /* its own process group */ });
    closeSync(log);
    const server = new CodeServer(child, port, logFile);
    await waitUntil(async () => {
      if (server.exited) throw new Error(`code-server exited at start:\n${server.logTail()}`);
      try {
        return (await fetch(`http://127.0.0.1:${port}/healthz`)).ok;
      } catch {
        return false;
      }
    }, 'code-server answering /healthz', 60_000);
    return server;
  }

  url(folder: string): string {
    return `http://127.0.0.1:${this.port}/?folder=${encodeURIComponent(folder)}`;
  }

  logTail(lines = 40): string {
    return readFileSync(this.logFile, 'utf8').split('\n').slice(-lines).join('\n');
  }

  /** Ends the whole process group: politely first, then by force; returns once it is gone. */
  async stop(): Promise<void> {
    const pgid = this.child.pid;
    if (pgid === undefined) return;
    try {
      process.kill(-pgid, 'SIGTERM');
    } catch {
      return; // already gone
    }
    try {
      await waitUntil(() => !groupAlive(pgid), 'code-server ending on SIGTERM', 10_000);
    } catch {
      this.killGroup();
      await waitUntil(() => !groupAlive(pgid), 'code-server ending on SIGKILL', 10_000);
    }
    process.removeListener('exit', this.killGroup);
  }

  private readonly killGroup = (): void => {
    if (this.child.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // nothing left to kill
    }
  };
}
