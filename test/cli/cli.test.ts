/**
 * The `forkscope run` contract, through the built CLI (dist/cli.js, bundled by `npm run build`):
 * exit statuses, the one-line errors, --stats, --trace, usage errors, --record and --replay.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const CLI = join(ROOT, 'dist', 'cli.js');
const EXAMPLES = join(ROOT, 'examples', 'bin');

function forkscope(args: string[], cwd = EXAMPLES, input?: string) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', timeout: 120_000, input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('cli: forkscope run', function () {
  before(function () {
    const b = spawnSync(process.execPath, [join(ROOT, 'scripts', 'build.mjs')], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    if (!existsSync(join(EXAMPLES, 'hello'))) {
      console.log('      (examples/bin/hello is not built: run npm run build:guests)');
      this.skip();
    }
  });

  it('runs a program with the root as the current directory, printing nothing of its own', function () {
    const r = forkscope(['run', './hello']);
    assert.equal(r.stdout, 'Hello from a RISC-V guest!\n');
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
  });

  it('takes --root for the guest\'s /', function () {
    const r = forkscope(['run', '--root', EXAMPLES, './hello'], ROOT);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'Hello from a RISC-V guest!\n');
  });

  it('exits 127 with one line when the program is not found', function () {
    const r = forkscope(['run', './nope']);
    assert.equal(r.status, 127);
    assert.match(r.stderr, /^forkscope: \.\/nope: No such file or directory\n$/);
  });

  it('exits 126 with one line when the file cannot be executed', function () {
    const root = mkdtempSync(join(tmpdir(), 'forkscope-cli-'));
    try {
      writeFileSync(join(root, 'bad'), readFileSync(join(EXAMPLES, 'hello')).subarray(0, 200), { mode: 0o755 });
      const r = forkscope(['run', '--root', root, './bad'], ROOT);
      assert.equal(r.status, 126);
      assert.match(r.stderr, /^forkscope: \.\/bad: [^\n]+\n$/);
      const text = forkscope(['run', '--root', join(ROOT, 'examples'), './hello.c'], ROOT);
      assert.equal(text.status, 126);
      assert.equal(text.stderr, 'forkscope: ./hello.c: Permission denied\n');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it('ends --stats with the instructions, wall time and MIPS line', function () {
    const r = forkscope(['run', '--stats', './hello']);
    assert.equal(r.status, 0);
    assert.match(r.stderr, /forkscope: instructions=\d+ wall=\d+\.\d{3}s mips=\d+(\.\d)?\n$/);
  });

  it('prints trace events on stderr with --trace', function () {
    const r = forkscope(['run', '--trace', 'exec,sched', './hello']);
    assert.equal(r.status, 0);
    assert.match(r.stderr, /sched_process_exec: filename=\.\/hello/);
    assert.match(r.stderr, /sched_process_fork: /);
    assert.doesNotMatch(r.stderr, /sys_enter/);
  });

  it('answers usage errors with a message and status 2', function () {
    assert.equal(forkscope(['run']).status, 2);
    const bad = forkscope(['run', '--mem', 'lots', './hello']);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, /^forkscope: --mem: 'lots' is not a size/);
    assert.match(forkscope(['run', '--trace', 'bogus', './hello']).stderr, /unknown category 'bogus'/);
    assert.match(forkscope(['run', '--root', '/nonexistent-dir', './hello']).stderr, /^forkscope: root \/nonexistent-dir/);
  });

  describe('--record and --replay', function () {
    let dir: string;
    before(function () {
      if (!existsSync(join(EXAMPLES, 'minish'))) this.skip();
      dir = mkdtempSync(join(tmpdir(), 'forkscope-rec-'));
    });
    after(() => rmSync(dir, { recursive: true, force: true }));

    const SESSION = './hello\n./crash-segv\nexit 3\n';

    it('records a run with its input, and replays it to the same end without reading stdin', function () {
      const file = join(dir, 'run.json');
      const live = forkscope(['run', '--record', file, './minish'], EXAMPLES, SESSION);
      assert.equal(live.status, 3);
      assert.match(live.stdout, /^Hello from a RISC-V guest!\nwriting to address 0\.\.\.\n\[killed by signal 11\]\n$/);
      const rec = JSON.parse(readFileSync(file, 'utf8')) as { program: string; input: string[]; end: { exitCode: number; instructions: number } };
      assert.equal(rec.program, './minish');
      assert.equal(rec.input.map((a) => typeof a === 'string' ? Buffer.from(a, 'base64').toString() : '').join(''), SESSION);
      assert.equal(rec.end.exitCode, 3);
      const again = forkscope(['run', '--replay', file], EXAMPLES, 'exit 9\n');
      assert.equal(again.stderr, '');
      assert.equal(again.stdout, live.stdout);
      assert.equal(again.status, 3);
    });

    it('says how a replay that does not end as recorded differs, with status 125', function () {
      const file = join(dir, 'edited.json');
      forkscope(['run', '--record', file, './minish'], EXAMPLES, SESSION);
      const rec = JSON.parse(readFileSync(file, 'utf8')) as { input: (string | number)[] };
      rec.input = [Buffer.from('exit 4\n').toString('base64')];
      writeFileSync(file, JSON.stringify(rec));
      const r = forkscope(['run', '--replay', file]);
      assert.equal(r.status, 125);
      assert.match(r.stderr, /^forkscope: the replay did not end as .* did: \d+ instructions, recorded \d+; .*exit status 4, recorded 3\n$/);
    });

    it('refuses a file that is not a recording, a program given with --replay, another build of the program, and a recording it cannot write', function () {
      const notOne = join(dir, 'not.json');
      writeFileSync(notOne, '{"hello": 1}');
      const r = forkscope(['run', '--replay', notOne]);
      assert.equal(r.status, 2);
      assert.match(r.stderr, /^forkscope: .*not\.json is not a Forkscope recording: it has no "forkscope": "recording"\n$/);
      const file = join(dir, 'run.json');
      assert.match(forkscope(['run', '--replay', file, './hello']).stderr, /give no PROGRAM/);
      assert.match(forkscope(['run', '--replay', file, '--seed', '2']).stderr, /--seed is fixed by the recording/);
      const unwritable = forkscope(['run', '--record', join(dir, 'no-such-dir', 'run.json'), './hello']);
      assert.equal(unwritable.status, 2);
      assert.match(unwritable.stderr, /^forkscope: cannot write the recording: ENOENT/);
      const rec = JSON.parse(readFileSync(file, 'utf8')) as { program: string };
      rec.program = './hello';
      writeFileSync(join(dir, 'other.json'), JSON.stringify(rec));
      const other = forkscope(['run', '--replay', join(dir, 'other.json')]);
      assert.equal(other.status, 2);
      assert.match(other.stderr, /is not the program that was recorded/);
    });
  });
});
