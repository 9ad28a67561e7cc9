// Packages Forkscope as an installable VS Code extension: `npm run package [-- --out FILE]`.
// Builds dist/, checks that the bundles the extension loads need nothing from node_modules at run
// time (only Node's built-in modules, and `vscode`, which the editor provides), then runs vsce.
// What goes in is package.json's `files` list (vsce refuses a .vscodeignore beside it), so the
// .vsix holds the bundles, their source maps (kernel frames find their TypeScript lines through
// them), the examples, README and LICENSE — and no node_modules (`--no-dependencies`).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// vsce 4 needs Node 22; 3.9 is the last that runs on the project's Node 20. Pinned, so that a
// package is made the same way on every machine; npx fetches it from the npm registry once.
const VSCE = '@vscode/vsce@3.9.2';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outIndex = process.argv.indexOf('--out');
const out = resolve(outIndex > 0 ? process.argv[outIndex + 1] : join(root, `${manifest.name}-${manifest.version}.vsix`));

execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });

/** The modules a bundle still requires at run time that neither Node nor the editor provides. */
function externalRequires(bundle, allowed) {
  const text = readFileSync(join(root, bundle), 'utf8');
  const builtins = new Set(builtinModules);
  const names = [...text.matchAll(/\brequire\(["']([^"']+)["']\)/g)].map((m) => m[1]);
  return [...new Set(names)].filter((n) => !n.startsWith('node:') && !builtins.has(n) && !allowed.includes(n));
}

const bundles = [[manifest.main, ['vscode']], ...manifest.contributes.debuggers.map((d) => [d.program, []])];
let bad = false;
for (const [bundle, allowed] of bundles) {
  const extra = externalRequires(bundle, allowed);
  if (extra.length > 0) {
    console.error(`package: ${bundle} requires ${extra.join(', ')} at run time; bundle them (scripts/build.mjs)`);
    bad = true;
  }
}
if (bad) process.exit(1);

// The project has no public repository yet, so README's relative links (docs/…) are left as they
// are instead of being rewritten to a repository URL, which vsce would otherwise insist on.
const args = ['--yes', VSCE, 'package', '--no-dependencies', '--allow-missing-repository', '--no-rewrite-relative-links', '--out', out];
mkdirSync(dirname(out), { recursive: true });
try {
  execFileSync('npx', args, { cwd: root, stdio: 'inherit' });
} catch {
  console.error(`package: npx ${args.join(' ')} failed (see above)`);
  process.exit(1);
}
console.log(`package: ${out}`);
