/**
 * Drives the real debug adapter over stdio with DebugClient, as VS Code does: the adapter is
 * bundled once per test run (with source maps, so kernel frames name our TypeScript lines) into
 * a temporary directory, and each test starts its own adapter process.
 */
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { buildSync } from 'esbuild';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..', '..');
export const EXAMPLES = join(ROOT, 'examples', 'bin');
export const SOURCES = join(ROOT, 'examples');

let bundle: string | undefined;

function adapterBundle(): string {
  if (bundle === undefined) {
    const out = join(mkdtempSync(join(tmpdir(), 'forkscope-adapter-')), 'adapter.js');
    buildSync({ entryPoints: [join(ROOT, 'src', 'adapter', 'main.ts')], outfile: out, bundle: true, platform: 'node', target: 'node20', format: 'cjs', sourcemap: true, keepNames: true, logLevel: 'warning' });
    bundle = out;
  }
  return bundle;
}

export function haveExample(name: string): boolean {
  return existsSync(join(EXAMPLES, name));
}

export async function startClient(): Promise<DebugClient> {
  const dc = new DebugClient('node', adapterBundle(), 'forkscope', { cwd: ROOT });
  dc.defaultTimeout = 60_000;
  await dc.start();
  return dc;
}

/** initialize + launch + configurationDone; resolves with the launch response. */
export async function launch(dc: DebugClient, config: Record<string, unknown>): Promise<DebugProtocol.LaunchResponse> {
  await dc.initializeRequest({ adapterID: 'forkscope', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path', supportsMemoryReferences: true });
  const initialized = dc.waitForEvent('initialized');
  const r = await dc.launchRequest(config as DebugProtocol.LaunchRequestArguments);
  await initialized;
  return r;
}

export async function stopped(dc: DebugClient): Promise<DebugProtocol.StoppedEvent> {
  return (await dc.waitForEvent('stopped')) as DebugProtocol.StoppedEvent;
}

export async function topFrames(dc: DebugClient, threadId: number, levels = 20): Promise<DebugProtocol.StackFrame[]> {
  return (await dc.stackTraceRequest({ threadId, levels })).body.stackFrames;
}

/** The variables of a scope named `scope` in `frameId`. */
export async function scopeVariables(dc: DebugClient, frameId: number, scope: string): Promise<DebugProtocol.Variable[]> {
  const scopes = (await dc.scopesRequest({ frameId })).body.scopes;
  const s = scopes.find((x) => x.name === scope);
  if (s === undefined) throw new Error(`no scope ${scope} (have ${scopes.map((x) => x.name).join(', ')})`);
  return (await dc.variablesRequest({ variablesReference: s.variablesReference })).body.variables;
}

export async function children(dc: DebugClient, v: DebugProtocol.Variable): Promise<DebugProtocol.Variable[]> {
  return (await dc.variablesRequest({ variablesReference: v.variablesReference })).body.variables;
}
