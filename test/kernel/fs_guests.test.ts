/**
 * The file system calls as programs see them, compared with real Linux: each C program in
 * fs_guests/ is built for riscv64 (run by Forkscope in a fresh root) and for x86-64 (run natively
 * in a fresh directory), and the two must print the same and exit the same. The reference is the
 * native build rather than qemu-riscv64, because qemu-user is not Linux here: it drops O_LARGEFILE
 * from F_GETFL, passes the host's RLIMIT_NOFILE through and emulates /proc/self itself.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { exitStatus, runGuest } from './guest';
import { tempDir } from './fs_machine';

const SRC = join(__dirname, 'fs_guests');

const PROGRAMS: { name: string; args?: string[]; what: string }[] = [
  { name: 'fs_errors', what: 'errors of every file call, the lowest-fd rule, EMFILE' },
  { name: 'fs_stat', what: 'struct stat, statx and linux_dirent64 field by field' },
  { name: 'fs_pipe', what: 'pipes between processes, SIGPIPE, capacity, PIPE_BUF, close-on-exec' },
  { name: 'fs_proc', args: ['one', 'two words', ''], what: '/proc/self and /proc/<pid>' },
];

function have(cmd: string): boolean {
  return spawnSync(cmd, ['--version']).status === 0;
}

describe('fs: system calls compared with Linux', function () {
  let bin: string;
  let cleanup: () => void;

  before(function () {
    if (!have('riscv64-linux-gnu-gcc') || !have('gcc')) {
      console.log('      (riscv64-linux-gnu-gcc or the host gcc is missing: these tests need both)');
      this.skip();
    }
    [bin, cleanup] = tempDir('fs-guests-');
    for (const p of PROGRAMS) {
      const src = join(SRC, `${p.name}.c`);
      execFileSync('riscv64-linux-gnu-gcc', ['-static', '-O1', '-w', '-o', join(bin, `${p.name}.rv`), src]);
      execFileSync('gcc', ['-O1', '-w', '-o', join(bin, `${p.name}.x86`), src]);
    }
  });

  after(function () {
    cleanup?.();
  });

  for (const p of PROGRAMS) {
    it(`${p.name}: ${p.what}`, function () {
      const [native, cleanNative] = tempDir('fs-native-');
      const [root, cleanRoot] = tempDir('fs-root-');
      try {
        copyFileSync(join(bin, `${p.name}.x86`), join(native, p.name));
        const want = spawnSync(`./${p.name}`, p.args ?? [], { cwd: native, encoding: 'latin1' });
        assert.equal(want.status, 0, `the native run failed: ${want.stderr}`);
        copyFileSync(join(bin, `${p.name}.rv`), join(root, p.name));
        mkdirSync(join(root, 'tmp'));
        const got = runGuest(`./${p.name}`, p.args ?? [], { root });
        assert.equal(Buffer.concat(got.console.out).toString('latin1'), want.stdout);
        assert.equal(exitStatus(got), 0);
      } finally {
        cleanNative();
        cleanRoot();
      }
    });
  }
});
