/**
 * The file system calls as programs see them, compared with real Linux: each C program in
 * fs_guests/ is built for riscv64 (run by Forkscope in a fresh root) and for x86-64 (run natively
 * in a fresh directory), and the two must print the same and exit the same. The reference is the
 * native build rather than qemu-riscv64, because qemu-user is not Linux here: it drops O_LARGEFILE
 * from F_GETFL, passes the host's RLIMIT_NOFILE through and emulates /proc/self itself.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ENV } from '../../src/debugger/config';
import { start_kernel } from '../../src/kernel/init/main';
import { Kernel } from '../../src/kernel/kernel';
import { exitStatus, RecordingConsole, runGuest } from './guest';
import { tempDir } from './fs_machine';
import { GCC, requireTool } from '../tools';

const SRC = join(__dirname, 'fs_guests');

const PROGRAMS: { name: string; args?: string[]; what: string }[] = [
  { name: 'fs_errors', what: 'errors of every file call, the lowest-fd rule, EMFILE' },
  { name: 'fs_stat', what: 'struct stat, statx and linux_dirent64 field by field' },
  { name: 'fs_pipe', what: 'pipes between processes, SIGPIPE, capacity, PIPE_BUF, close-on-exec' },
  { name: 'fs_rw', what: 'data: vectors, positions, holes, O_APPEND, short copies, /dev, the cwd' },
  { name: 'fs_proc', args: ['one', 'two words', ''], what: '/proc/self and /proc/<pid>' },
  { name: 'fs_tty', what: 'a console that is no terminal: pipes, ENOTTY, no /dev/tty' },
  { name: 'fs_poll', what: 'poll, ppoll, select, pselect, pause: pipe ends, timeouts, signals, masks, time left' },
  { name: 'fs_epoll', what: 'epoll: errors, level and edge triggering, one-shot, hang-ups, signals, nesting, pidfds' },
  { name: 'fs_locks', what: 'flock, POSIX and OFD locks between processes: ranges, waiting, EDEADLK' },
  { name: 'fs_attr', what: 'utimensat, chown and set-ID bits, statfs, ETXTBSY for a running program' },
  { name: 'fs_sendfile', what: 'sendfile between files, into pipes and the console; its errors' },
  { name: 'fs_mmap_rw', what: 'read and write agree with shared and private mappings of the same file' },
];

/** Names, kinds and contents of everything under `dir`, to show that nothing changed. */
function treeOf(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    const st = lstatSync(p);
    out.push(st.isDirectory() ? `${name}/ [${treeOf(p).join(', ')}]` : `${name} ${st.mode.toString(8)} ${st.isFile() ? readFileSync(p, 'latin1') : ''}`);
  }
  return out;
}

describe('fs: system calls compared with Linux', function () {
  let bin: string;
  let cleanup: () => void;

  before(function () {
    requireTool(this, GCC, 'gcc', 'setsid', 'bash');
    [bin, cleanup] = tempDir('fs-guests-');
    for (const p of PROGRAMS) {
      const src = join(SRC, `${p.name}.c`);
      execFileSync(GCC, ['-static', '-O1', '-w', '-o', join(bin, `${p.name}.rv`), src]);
      execFileSync('gcc', ['-O1', '-w', '-o', join(bin, `${p.name}.x86`), src]);
    }
    for (const name of ['fs_escape', 'fs_tty']) {
      execFileSync(GCC, ['-static', '-O1', '-w', '-o', join(bin, name), join(SRC, `${name}.c`)]);
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
        // Like the guest's console: stdin, stdout and stderr are pipes (node's own are sockets),
        // and no controlling terminal (a session of its own).
        const want = spawnSync('bash', ['-c', 'set -o pipefail; : | setsid -w "$0" "$@" 2>&1 | cat', `./${p.name}`, ...(p.args ?? [])],
          { cwd: native, encoding: 'latin1' });
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

  it('fs_escape: no way out of the root, and nothing outside it changes', function () {
    const [base, clean] = tempDir('fs-escape-');
    try {
      const root = join(base, 'root');
      const outside = join(base, 'outside');
      mkdirSync(root);
      mkdirSync(outside);
      writeFileSync(join(outside, 'secret'), 'host secret');
      copyFileSync(join(bin, 'fs_escape'), join(root, 'fs_escape'));
      const before = treeOf(outside);
      const r = runGuest('./fs_escape', [outside], { root });
      assert.equal(exitStatus(r), 0);
      const lines = r.console.stdout.split('\n');
      const result = (label: string): string => lines.find((l) => l.startsWith(label + ' '))?.slice(44).trim() ?? '(missing)';
      for (const l of ['the host path itself', '../outside/secret', '/../../../../outside/secret',
        'an absolute link to the host path', 'a relative link climbing out', 'a link to /.. then ../outside',
        'openat(/, ../outside/secret)', 'openat(/, ..) then outside/secret', 'mkdir at the host path',
        'mkdir through the absolute link', 'create through the absolute link', 'create through a dangling relative link',
        'unlink through the link', 'rename into the outside', 'hard link into the outside', 'truncate through the link',
        'chmod through the link']) {
        assert.equal(result(l), 'ENOENT', l);
      }
      assert.equal(result('cwd after 20 chdir(..)'), '/');
      assert.equal(result('unlink the absolute link itself'), 'ok');
      assert.equal(result('the relative link still says'), '../../../../../../outside');
      assert.deepEqual(treeOf(outside), before);
    } finally {
      clean();
    }
  });

  it('fs_tty: a console that is a terminal answers TCGETS and TIOCGWINSZ, and /dev/tty reaches it', function () {
    const [root, clean] = tempDir('fs-tty-');
    try {
      copyFileSync(join(bin, 'fs_tty'), join(root, 'fs_tty'));
      const term = new RecordingConsole('typed line\n', { rows: 30, cols: 100 });
      const k = new Kernel({ memBytes: 64 << 20, seed: 0, root, console: term });
      const result = start_kernel(k, { filename: './fs_tty', argv: ['./fs_tty'], envp: DEFAULT_ENV });
      while (k.run(100_000_000).kind === 'budget');
      assert.equal(result.status, 0);
      assert.equal(term.output, [
        'fd 0: isatty 1, char device, blksize 4096, F_GETFL 0x8002, /dev/console',
        'fd 1: isatty 1, char device, blksize 4096, F_GETFL 0x8002, /dev/console',
        'fd 2: isatty 1, char device, blksize 4096, F_GETFL 0x8002, /dev/console',
        'tcgetattr(1)                                 ok',
        'ICANON 1 ECHO 1 ISIG 1 VINTR 3 VEOF 4 VMIN 1',
        'tcsetattr(1)                                 ok',
        'TIOCGWINSZ                                   ok',
        'window 30 rows, 100 columns',
        'TCGETS into NULL                             EFAULT',
        'open /dev/tty                                ok',
        'through /dev/tty',
        'open /dev/stdout                             ok',
        'through /dev/stdout',
        'read from stdin: 11 "typed line',
        '"',
        '',
      ].join('\n'));
    } finally {
      clean();
    }
  });
});
