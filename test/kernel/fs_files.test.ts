/**
 * Descriptor tables and open files at the kernel level (fs/file.ts, fs/open.ts, the /dev
 * nodes): what fork, exec and exit do with them, reference counts, open flags, and the seeded
 * /dev/urandom.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EACCES, EBADF, EINVAL, EISDIR, EMFILE, ENOENT, ENXIO } from '../../src/kernel/errno';
import {
  do_close_on_exec, dup_fd, exit_files, fget, fput, get_files_struct, ksys_dup3, put_files_struct, unshare_files,
} from '../../src/kernel/fs/file';
import { ksys_umask } from '../../src/kernel/fs/fs_struct';
import { open_exec } from '../../src/kernel/fs/kernel_read_file';
import { do_pipe_flags, pipe_install } from '../../src/kernel/fs/pipe';
import { O_APPEND, O_CLOEXEC, O_CREAT, O_RDONLY, O_RDWR, O_TRUNC, O_WRONLY } from '../../src/kernel/fs/uapi';
import { FsMachine, tempDir } from './fs_machine';

describe('fs: descriptor tables and open files', function () {
  let root: string;
  let cleanup: () => void;
  let m: FsMachine;

  beforeEach(function () {
    [root, cleanup] = tempDir('fs-files-');
    writeFileSync(join(root, 'f'), 'contents');
    mkdirSync(join(root, 'd'));
    m = new FsMachine(root);
  });

  afterEach(function () {
    cleanup();
  });

  it('copies a table for fork: same files, one more reference each, FD_CLOEXEC kept', function () {
    const a = m.open('f', O_RDONLY);
    const b = m.open('f', O_RDONLY | O_CLOEXEC);
    const parent = m.task.files!;
    const f = parent.fd[a]!;
    assert.equal(f.f_count, 1);
    const child = dup_fd(parent);
    assert.equal(child.fd[a], f);
    assert.equal(f.f_count, 2);
    assert.deepEqual([child.close_on_exec[a], child.close_on_exec[b]], [false, true]);
    // The child's position is the parent's: they share the open file description.
    assert.equal((m.read(a, 3) as Uint8Array).length, 3);
    assert.equal(child.fd[a]!.f_pos, 3);
    put_files_struct(child);
    assert.equal(f.f_count, 1, 'the child\'s references are dropped when its table goes');
  });

  it('shares a table for CLONE_FILES until the last user puts it; exec unshares it', function () {
    const a = m.open('f', O_RDONLY | O_CLOEXEC);
    const files = m.task.files!;
    const f = files.fd[a]!;
    assert.equal(get_files_struct(files), files);
    assert.equal(files.count, 2);
    m.enter();
    unshare_files();
    const own = m.task.files!;
    assert.notEqual(own, files, 'exec gets a table of its own');
    assert.equal(files.count, 1);
    assert.equal(f.f_count, 2);
    do_close_on_exec(own);
    assert.equal(own.fd[a], null);
    assert.equal(files.fd[a], f, 'the other sharer keeps the close-on-exec file');
    assert.equal(f.f_count, 1);
    exit_files(m.task);
    assert.equal(m.task.files, null);
  });

  it('closes a pipe end only when the last reference goes (fork, then close in one process)', function () {
    m.enter();
    const p = do_pipe_flags(0);
    assert.ok(typeof p !== 'number');
    pipe_install(p);
    const child = dup_fd(m.task.files!);
    const pipe = p.files[1].f_inode.i_private as { writers: number; readers: number };
    assert.equal(m.close(p.fd[1]), 0);
    assert.equal(pipe.writers, 1, 'the child still holds the write end');
    put_files_struct(child);
    assert.equal(pipe.writers, 0);
    assert.equal(pipe.readers, 1);
  });

  it('keeps a file alive while a call holds it, even after close (fget/fput)', function () {
    const fd = m.open('f', O_RDONLY);
    m.enter();
    const f = fget(fd)!;
    assert.equal(m.close(fd), 0);
    assert.equal(f.f_count, 1);
    assert.equal(fget(fd), null);
    fput(f);
    assert.equal(f.f_count, 0);
  });

  it('replaces with dup3 and gives EMFILE at RLIMIT_NOFILE', function () {
    const a = m.open('f', O_RDONLY);
    const other = m.open('d', O_RDONLY);
    m.enter();
    assert.equal(ksys_dup3(a, other, 0), other);
    assert.equal(m.task.files!.fd[other], m.task.files!.fd[a]);
    assert.equal(ksys_dup3(a, a, 0), -EINVAL);
    assert.equal(ksys_dup3(99, 5, 0), -EBADF);
    let last = -1;
    for (;;) {
      const fd = m.open('f', O_RDONLY);
      if (fd < 0) {
        assert.equal(fd, -EMFILE);
        break;
      }
      last = fd;
    }
    assert.equal(last, 1023);
  });

  it('honours the umask, O_TRUNC and O_APPEND, and refuses to write a directory', function () {
    m.enter();
    assert.equal(ksys_umask(0o077), 0o022);
    const fd = m.open('new', O_WRONLY | O_CREAT, 0o666);
    assert.equal(statSync(join(root, 'new')).mode & 0o777, 0o600);
    assert.equal(m.write(fd, 'abc'), 3);
    const t = m.open('f', O_WRONLY | O_TRUNC);
    assert.equal(readFileSync(join(root, 'f'), 'latin1'), '');
    assert.equal(m.write(t, 'xy'), 2);
    const ap = m.open('f', O_WRONLY | O_APPEND);
    assert.equal(m.write(ap, 'z'), 1);
    assert.equal(m.write(t, '!'), 1, 'the O_TRUNC descriptor is at offset 2');
    assert.equal(readFileSync(join(root, 'f'), 'latin1'), 'xy!');
    assert.equal(m.open('d', O_RDWR), -EISDIR);
    const ro = m.open('f', O_RDONLY | O_CREAT, 0o600);
    assert.ok(ro >= 0, 'O_CREAT of an existing file opens it');
  });

  it('opens programs for exec only if they are regular files with an x bit', function () {
    writeFileSync(join(root, 'prog'), '#!/bin/sh\n', { mode: 0o755 });
    const r = m.call(open_exec('/prog'));
    assert.ok(typeof r !== 'number');
    assert.equal(Buffer.from(r.bytes).toString(), '#!/bin/sh\n');
    assert.equal(r.mapped.size(), 10);
    assert.equal(m.call(open_exec('/f')), -EACCES, 'no x bit');
    assert.equal(m.call(open_exec('/d')), -EACCES, 'a directory');
    assert.equal(m.call(open_exec('/dev/null')), -EACCES, 'a device');
    assert.equal(m.call(open_exec('/missing')), -ENOENT);
  });

  it('gives /dev/urandom bytes from the machine seed: the same seed, the same bytes', function () {
    const read = (seed: number): string => {
      const mm = new FsMachine(root, { seed });
      const fd = mm.open('/dev/urandom', O_RDONLY);
      return Buffer.from(mm.read(fd, 32) as Uint8Array).toString('hex');
    };
    assert.equal(read(7), read(7));
    assert.notEqual(read(7), read(8));
  });

  it('has no /dev/tty when no terminal is behind the console', function () {
    assert.equal(m.open('/dev/tty', O_RDWR), -ENXIO);
  });
});
