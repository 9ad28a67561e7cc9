#!/usr/bin/env node
// The `forkscope` command: the bundled CLI built by `npm install` (scripts/build.mjs).
require('../dist/cli.js');
