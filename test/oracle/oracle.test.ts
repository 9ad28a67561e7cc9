// The Linux oracle: every example in examples/bin/ must print the same stdout and stderr and exit
// with the same status under `forkscope run` as under Linux (qemu-riscv64, or a native x86-64
// build where qemu-user is not Linux; see manifest.ts).
//
// Two tests per example:
//   - "Linux reference": the reference run exits with the status the manifest records, and a
//     second run prints exactly the same (programs print facts, never pids or addresses).
//   - "forkscope": forkscope's run equals the reference. Pending, with the reason in its title,
//     while the manifest says forkscope cannot run the program yet.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Example, examples } from './manifest';
import { NativeBuild, Outcome, binDir, cliPath, repoRoot, runForkscope, runQemu, which } from './run';

const qemu = which('qemu-riscv64');
const gcc = which('gcc');

/** What a reference run needs that this machine lacks, if anything. */
function missingForReference(example: Example): string | undefined {
  if (!existsSync(join(binDir, example.name))) return `examples/bin/${example.name} is not built (npm run build:guests)`;
  if (example.oracle === 'qemu' && qemu === undefined) return 'qemu-riscv64 is not installed (apt-get install qemu-user)';
  if (example.oracle === 'native' && gcc === undefined) return 'the host gcc is not installed';
  return undefined;
}

/** Mocha's skip() takes no message: put the reason in the title, where the reporter shows it. */
function skipBecause(context: Mocha.Context, reason: string): never {
  if (context.test) context.test.title += ` (skipped: ${reason})`;
  context.skip();
}

/** Reference runs, made once per example and shared by its two tests. */
const references = new Map<string, Outcome[]>();

function referenceRuns(example: Example, count: number): Outcome[] {
  const cached = references.get(example.name);
  if (cached && cached.length >= count) return cached;
  const runs: Outcome[] = [];
  if (example.oracle === 'expected') {
    runs.push({ status: example.status, stdout: example.stdout ?? '', stderr: '' });
  } else if (example.oracle === 'qemu') {
    for (let i = 0; i < count; i++) runs.push(runQemu(qemu as string, example));
  } else {
    const native = new NativeBuild(gcc as string, example);
    try {
      for (let i = 0; i < count; i++) runs.push(native.run(example));
    } finally {
      native.dispose();
    }
  }
  references.set(example.name, runs);
  return runs;
}

describe('oracle: examples under forkscope and under Linux', function () {
  this.timeout(300_000);

  it('the manifest lists every example, and every reference that is not qemu says why', function () {
    const sources = readdirSync(join(repoRoot, 'examples')).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2));
    const listed = new Set(examples.map((e) => e.name));
    assert.deepEqual(sources.filter((name) => !listed.has(name)), [], 'examples/*.c missing from test/oracle/manifest.ts');
    assert.deepEqual(examples.filter((e) => e.oracle !== 'qemu' && !e.why).map((e) => e.name), [],
      'oracle "native" or "expected" without a reason');
  });

  for (const example of examples) {
    const command = `./${example.name}${(example.args ?? []).map((a) => ` '${a}'`).join('')}`;
    describe(command, function () {
      if (example.oracle !== 'expected') {
        it(`Linux reference (${example.oracle}) exits with ${example.status} and prints the same twice`, function () {
          const missing = missingForReference(example);
          if (missing) skipBecause(this, missing);
          const [first, second] = referenceRuns(example, 2);
          assert.equal(first.status, example.status, `exit status; stderr:\n${first.stderr}`);
          assert.deepEqual(second, first, 'the output changed between two runs: does it print a pid or an address?');
        });
      }

      const title = `forkscope matches ${example.oracle === 'expected' ? 'the expected Linux output' : example.oracle}`;
      if (example.pending) {
        it(`${title} — pending: ${example.pending}`);
        return;
      }
      it(title, function () {
        if (!existsSync(cliPath)) skipBecause(this, 'dist/cli.js is not built (npm run build)');
        const missing = example.oracle === 'expected' ? undefined : missingForReference(example);
        if (missing) skipBecause(this, missing);
        const reference = referenceRuns(example, 1)[0];
        assert.deepEqual(runForkscope(example), reference);
      });
    });
  }
});
