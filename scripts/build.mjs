// Bundles the TypeScript entry points with esbuild into dist/ (run by `npm install` through `prepare`).
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entries = [
  ['src/cli/main.ts', 'dist/cli.js'],
  ['scripts/bench.ts', 'dist/bench.js'],
].filter(([src]) => existsSync(src));

await Promise.all(entries.map(([src, out]) => build({
  entryPoints: [src],
  outfile: out,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
})));
