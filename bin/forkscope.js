#!/usr/bin/env node
// The `forkscope` command: the bundled CLI built by `npm install` (scripts/build.mjs).
// Kernel frames name their place in our TypeScript sources (src/kernel/kfunc.ts reads stack
// traces), so the bundle's source map is applied — it must be on before the bundle loads.
process.setSourceMapsEnabled(true);
require('../dist/cli.js');
