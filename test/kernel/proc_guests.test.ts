/**
 * The process model as programs see it, compared with real Linux: each C program in proc_guests/
 * is built for riscv64 (run by Forkscope) and for x86-64 (run natively), and both must print the
 * same. The reference is native rather than qemu-riscv64, because qemu-user is not Linux for
 * clone(CLONE_VM) without CLONE_THREAD, exec of another program, and some wait/signal details
 * (guest-toolchain.md).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { exitStatus, runGuest } from './guest';
import { tempDir } from './fs_machine';
import { GCC, requireTool } from '../tools';

const SRC = join(__dirname, 'proc_guests');

const PROGRAMS: { name: string; what: string }[] = [
  { name: 'proc_clone', what: 'clone/clone3: refused flag combinations, what each flag shares, tids, pidfds, exit signals' },
  { name: 'proc_exec', what: 'execve: errors before the point of no return, what survives an exec' },
  { name: 'proc_wait', what: 'wait4/waitid options, auto-reaping, parent-death signals, groups and sessions, kill errors' },
];

describe('kernel: processes compared with Linux', function () {
  let bin: string;
  let cleanup: () => void;

  before(function () {
    requireTool(this, GCC, 'gcc', 'bash');
    [bin, cleanup] = tempDir('proc-guests-');
    for (const p of PROGRAMS) {
      const src = join(SRC, `${p.name}.c`);
      mkdirSync(join(bin, 'rv'), { recursive: true });
      mkdirSync(join(bin, 'x86'), { recursive: true });
      execFileSync(GCC, ['-static', '-O1', '-w', '-o', join(bin, 'rv', p.name), src]);
      execFileSync('gcc', ['-O1', '-w', '-o', join(bin, 'x86', p.name), src]);
    }
  });

  after(() => cleanup?.());

  for (const p of PROGRAMS) {
    it(`${p.name}: ${p.what}`, function () {
      const [native, cleanNative] = tempDir('proc-native-');
      const [root, cleanRoot] = tempDir('proc-root-');
      try {
        copyFileSync(join(bin, 'x86', p.name), join(native, p.name));
        // Output through a pipe, as the guest's console is.
        const want = spawnSync('bash', ['-c', 'set -o pipefail; "$0" | cat', `./${p.name}`], { cwd: native, encoding: 'latin1', timeout: 60_000 });
        assert.equal(want.status, 0, `the native run failed: ${want.stderr}`);
        copyFileSync(join(bin, 'rv', p.name), join(root, p.name));
        const got = runGuest(`./${p.name}`, [], { root });
        assert.equal(got.console.stdout, want.stdout);
        assert.equal(exitStatus(got), 0);
      } finally {
        cleanNative();
        cleanRoot();
      }
    });
  }
});
