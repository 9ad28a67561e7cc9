// Bundles the TypeScript entry points with esbuild into dist/ (run by `npm install` through `prepare`).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = [
  ['src/cli/main.ts', 'dist/cli.js'],
  ['scripts/bench.ts', 'dist/bench.js'],
  ['src/adapter/main.ts', 'dist/adapter.js'],
  ['src/extension/extension.ts', 'dist/extension.js'],
  ['scripts/bench/debugger-client.ts', 'dist/bench-debugger.js'],
].filter(([src]) => existsSync(src));

await Promise.all(entries.map(([src, out]) => build({
  entryPoints: [src],
  outfile: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  // The editor provides `vscode` to the extension at run time.
  external: ['vscode'],
  // Kernel functions are known by their function names (kernel/kfunc.ts): bundling must not rename them.
  keepNames: true,
  logLevel: 'warning',
})));
