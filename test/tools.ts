/**
 * Host tools some tests need (the cross compiler, the host gcc, binutils): such a test calls
 * `requireTool(this, ...)`, which skips it visibly, naming what is missing, when they are not
 * installed — never passes it.
 */
import { spawnSync } from 'node:child_process';

/** Debian's riscv64 cross compiler. */
export const GCC = 'riscv64-linux-gnu-gcc';

const available = new Map<string, boolean>();

function haveTool(tool: string): boolean {
  let ok = available.get(tool);
  if (ok === undefined) {
    ok = spawnSync(tool, ['--version'], { stdio: 'ignore' }).status === 0;
    available.set(tool, ok);
  }
  return ok;
}

/** Skips the calling test or hook, saying which tools are missing, unless all are installed. */
export function requireTool(ctx: Mocha.Context, ...tools: string[]): void {
  const missing = tools.filter((t) => !haveTool(t));
  if (missing.length > 0) {
    console.warn(`      (skipped: ${missing.join(', ')} not installed; see the README's Tests section)`);
    ctx.skip();
  }
}
