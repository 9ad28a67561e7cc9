/**
 * Path resolution in the sandboxed root (fs/namei.ts): `..`, absolute and relative symbolic
 * links, loops, long names, ENOTDIR/ENOENT, dirfd-relative lookups and the sysroot fallback —
 * and that nothing outside the root is ever read or changed.
 */
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  EBADF, EEXIST, EISDIR, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, EROFS, EXDEV,
} from '../../src/kernel/errno';
import { do_getcwd } from '../../src/kernel/fs/d_path';
import { do_linkat, do_mkdirat, do_renameat2, do_rmdir, do_symlinkat, do_unlinkat } from '../../src/kernel/fs/namei';
import { do_faccessat, ksys_chdir } from '../../src/kernel/fs/open';
import { do_readlinkat, vfs_fstatat } from '../../src/kernel/fs/stat';
import {
  AT_EMPTY_PATH, AT_FDCWD, AT_SYMLINK_NOFOLLOW, O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_PATH, O_RDONLY, O_RDWR,
  O_WRONLY, S_ISDIR, S_ISLNK, W_OK,
} from '../../src/kernel/fs/uapi';
import { FsMachine, tempDir } from './fs_machine';

/** Names, types and contents of everything under `dir`, to show that nothing changed. */
function treeOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out.push(`${rel}${name} -> ${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.push(`${rel}${name}/ ${st.mode.toString(8)}`);
        walk(p, `${rel}${name}/`);
      } else out.push(`${rel}${name} ${st.mode.toString(8)} ${readFileSync(p, 'latin1')}`);
    }
  };
  walk(dir, '');
  return out;
}

describe('fs: path resolution never leaves the root', function () {
  let base: string;
  let root: string;
  let outside: string;
  let cleanup: () => void;
  let m: FsMachine;

  beforeEach(function () {
    [base, cleanup] = tempDir('fs-namei-');
    root = join(base, 'guestroot');
    outside = join(base, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret'), 'host secret');
    mkdirSync(join(root, 'dir'));
    writeFileSync(join(root, 'dir', 'file'), 'inside file');
    writeFileSync(join(root, 'top'), 'top file');
    m = new FsMachine(root);
  });

  afterEach(function () {
    cleanup();
  });

  it('keeps `..` at the root: /.., ../.., dir/../../.. all name the root', function () {
    for (const p of ['/..', '..', '../../..', '/dir/../../../..', 'dir/../..//./..']) {
      const st = m.call(vfs_fstatat(AT_FDCWD, p, 0));
      assert.ok(typeof st !== 'number' && S_ISDIR(st.mode), p);
      assert.equal(st.ino, statSync(root).ino, `${p} is the root`);
    }
    assert.equal(m.readFile('../../../../outside/secret'), -ENOENT);
    assert.equal(m.readFile('/../outside/secret'), -ENOENT);
    assert.equal(m.readFile('/../guestroot/top'), -ENOENT, 'the root has no name of its own inside');
    assert.equal(m.readFile('../top'), 'top file');
  });

  it('interprets absolute link targets inside the root', function () {
    symlinkSync(outside, join(root, 'abs'));
    symlinkSync('/', join(root, 'slash'));
    symlinkSync('/dir/file', join(root, 'tofile'));
    assert.equal(m.readFile('/abs/secret'), -ENOENT, `${outside} is looked up inside the root`);
    assert.equal(m.readFile('/slash/top'), 'top file');
    assert.equal(m.readFile('/slash/../../top'), 'top file');
    assert.equal(m.readFile('tofile'), 'inside file');
    // The same host path, made inside the root, is what the link reaches.
    mkdirSync(join(root, outside), { recursive: true });
    writeFileSync(join(root, outside, 'secret'), 'guest secret');
    assert.equal(m.readFile('/abs/secret'), 'guest secret');
  });

  it('interprets relative link targets that climb out as stopping at the root', function () {
    symlinkSync('../../../../../../../outside', join(root, 'dir', 'up'));
    symlinkSync('../outside/secret', join(root, 'sibling'));
    assert.equal(m.readFile('/dir/up/secret'), -ENOENT);
    assert.equal(m.readFile('/sibling'), -ENOENT);
    mkdirSync(join(root, 'outside'));
    writeFileSync(join(root, 'outside', 'secret'), 'guest copy');
    assert.equal(m.readFile('/dir/up/secret'), 'guest copy');
    assert.equal(m.readFile('/sibling'), 'guest copy');
  });

  it('fails with ELOOP on loops and after 40 links, as Linux (checked against the host)', function () {
    symlinkSync('a', join(root, 'b'));
    symlinkSync('b', join(root, 'a'));
    symlinkSync('self/x', join(root, 'self'));
    assert.equal(m.readFile('a'), -ELOOP);
    assert.equal(m.readFile('self'), -ELOOP);
    assert.equal(m.open('a', O_RDONLY | O_CREAT, 0o644), -ELOOP);
    // l0 -> l1 -> … -> lN -> top: N+1 links to follow.
    const chain = (n: number, prefix: string): string => {
      for (let i = 0; i < n; i++) symlinkSync(i === n - 1 ? 'top' : `${prefix}${i + 1}`, join(root, `${prefix}${i}`));
      return `${prefix}0`;
    };
    const ok = chain(40, 'l');
    const tooMany = chain(41, 'm');
    const host = (p: string): string => { try { return readFileSync(join(root, p), 'latin1'); } catch (e) { return (e as { code: string }).code; } };
    assert.equal(host(ok), 'top file');
    assert.equal(host(tooMany), 'ELOOP');
    assert.equal(m.readFile(ok), 'top file');
    assert.equal(m.readFile(tooMany), -ELOOP);
  });

  it('limits names to NAME_MAX (255) and paths to PATH_MAX (4096)', function () {
    assert.equal(m.readFile('x'.repeat(255)), -ENOENT);
    assert.equal(m.readFile('x'.repeat(256)), -ENAMETOOLONG);
    assert.equal(m.readFile('dir/' + 'x'.repeat(256) + '/y'), -ENAMETOOLONG);
    const deep = './'.repeat(2047) + 'top';
    assert.equal(deep.length, 4097);
    assert.equal(m.readFile(deep), -ENAMETOOLONG);
    assert.equal(m.readFile('./'.repeat(2046) + 'top'), 'top file');
    assert.equal(m.call(do_mkdirat(AT_FDCWD, 'y'.repeat(256), 0o755)), -ENAMETOOLONG);
  });

  it('reports ENOTDIR and ENOENT where Linux does', function () {
    assert.equal(m.readFile('top/x'), -ENOTDIR);
    assert.equal(m.readFile('top/'), -ENOTDIR);
    assert.equal(m.open('top', O_RDONLY | O_DIRECTORY), -ENOTDIR);
    assert.equal(m.readFile('nope/x'), -ENOENT);
    assert.equal(m.readFile(''), -ENOENT);
    symlinkSync('dir', join(root, 'dirlink'));
    assert.ok(m.open('dirlink/', O_RDONLY | O_NOFOLLOW) >= 0, 'a trailing slash follows the link');
    assert.equal(m.open('dirlink', O_RDONLY | O_NOFOLLOW), -ELOOP);
    assert.ok(m.open('dirlink', O_PATH | O_NOFOLLOW) >= 0, 'O_PATH|O_NOFOLLOW opens the link itself');
  });

  it('resolves relative to a directory descriptor, and lets AT_EMPTY_PATH name it', function () {
    const dfd = m.open('dir', O_RDONLY | O_DIRECTORY);
    assert.ok(dfd >= 0);
    const fd = m.open('file', O_RDONLY, 0, dfd);
    assert.ok(fd >= 0);
    assert.equal(new TextDecoder().decode(m.read(fd, 100) as Uint8Array), 'inside file');
    const st = m.call(vfs_fstatat(fd, '', AT_EMPTY_PATH));
    assert.ok(typeof st !== 'number' && st.size === 11);
    assert.equal(m.call(vfs_fstatat(fd, '', 0)), -ENOENT, 'an empty name needs AT_EMPTY_PATH');
    assert.equal(m.open('x', O_RDONLY, 0, fd), -ENOTDIR, 'a file is no starting directory');
    assert.equal(m.open('x', O_RDONLY, 0, 99), -EBADF);
    assert.ok(m.open('/top', O_RDONLY, 0, 99) >= 0, 'an absolute path ignores the descriptor');
    assert.equal(m.readFile('../top'), 'top file');
    const up = m.open('..', O_RDONLY, 0, dfd);
    assert.ok(m.open('top', O_RDONLY, 0, up) >= 0);
  });

  it('follows symbolic links with AT_SYMLINK_NOFOLLOW semantics where asked', function () {
    symlinkSync('dir/file', join(root, 'ln'));
    const a = m.call(vfs_fstatat(AT_FDCWD, 'ln', 0));
    const b = m.call(vfs_fstatat(AT_FDCWD, 'ln', AT_SYMLINK_NOFOLLOW));
    assert.ok(typeof a !== 'number' && typeof b !== 'number');
    assert.equal(a.size, 11);
    assert.ok(S_ISLNK(b.mode));
    assert.equal(m.call(do_readlinkat(AT_FDCWD, 'ln')), 'dir/file');
    assert.equal(m.call(do_readlinkat(AT_FDCWD, 'top')), -22);
  });

  it('changes nothing outside the root, whatever the guest does', function () {
    symlinkSync(join(outside, 'secret'), join(root, 'abs-secret'));
    symlinkSync('../outside/new', join(root, 'dangling'));
    symlinkSync(outside, join(root, 'abs-dir'));
    const before = treeOf(outside);
    const fd = m.open('dangling', O_WRONLY | O_CREAT, 0o644);
    assert.equal(fd, -ENOENT, 'O_CREAT through the link looks for /outside inside the root');
    assert.equal(m.open('abs-secret', O_WRONLY | O_CREAT, 0o644), -ENOENT);
    assert.equal(m.call(do_mkdirat(AT_FDCWD, '../../outside/made', 0o755)), -ENOENT);
    assert.equal(m.call(do_mkdirat(AT_FDCWD, 'abs-dir/made', 0o755)), -ENOENT);
    assert.equal(m.call(do_unlinkat(AT_FDCWD, 'abs-dir/secret')), -ENOENT);
    assert.equal(m.call(do_unlinkat(AT_FDCWD, '../outside/secret')), -ENOENT);
    assert.equal(m.call(do_renameat2(AT_FDCWD, 'top', AT_FDCWD, '../outside/top', 0)), -ENOENT);
    assert.equal(m.call(do_linkat(AT_FDCWD, 'top', AT_FDCWD, 'abs-dir/hard', 0)), -ENOENT);
    assert.equal(m.call(do_symlinkat('/etc/passwd', AT_FDCWD, '../outside/ln')), -ENOENT);
    // Unlinking the link removes the link, never what a host would resolve it to.
    assert.equal(m.call(do_unlinkat(AT_FDCWD, 'abs-secret')), 0);
    assert.equal(m.call(ksys_chdir('../../..')), 0);
    assert.equal(m.call(do_getcwd()), '/');
    assert.deepEqual(treeOf(outside), before);
  });

  it('creates, renames, links and removes inside the root', function () {
    assert.equal(m.call(do_mkdirat(AT_FDCWD, 'new', 0o777)), 0);
    assert.equal(statSync(join(root, 'new')).mode & 0o777, 0o755, 'the umask (022) applies');
    assert.equal(m.call(do_mkdirat(AT_FDCWD, 'new', 0o777)), -EEXIST);
    const fd = m.open('new/f', O_RDWR | O_CREAT | O_EXCL, 0o640);
    assert.ok(fd >= 0);
    assert.equal(m.write(fd, 'data'), 4);
    assert.equal(statSync(join(root, 'new', 'f')).mode & 0o777, 0o640);
    assert.equal(m.open('new/f', O_RDWR | O_CREAT | O_EXCL, 0o640), -EEXIST);
    assert.equal(m.call(do_renameat2(AT_FDCWD, 'new/f', AT_FDCWD, 'g', 0)), 0);
    assert.equal(readFileSync(join(root, 'g'), 'latin1'), 'data');
    assert.equal(m.call(do_linkat(AT_FDCWD, 'g', AT_FDCWD, 'h', 0)), 0);
    assert.equal(statSync(join(root, 'h')).nlink, 2);
    assert.equal(m.call(do_symlinkat('g', AT_FDCWD, 's')), 0);
    assert.equal(m.readFile('s'), 'data');
    assert.equal(m.call(do_unlinkat(AT_FDCWD, 'new')), -EISDIR);
    assert.equal(m.call(do_rmdir(AT_FDCWD, 'g')), -ENOTDIR);
    assert.equal(m.call(do_rmdir(AT_FDCWD, 'new')), 0);
    assert.equal(m.call(do_renameat2(AT_FDCWD, 'h', AT_FDCWD, '/proc/x', 0)), -EXDEV);
  });
});

describe('fs: the sysroot (-L)', function () {
  let base: string;
  let cleanup: () => void;
  let m: FsMachine;

  beforeEach(function () {
    [base, cleanup] = tempDir('fs-sysroot-');
    mkdirSync(join(base, 'root', 'lib'), { recursive: true });
    mkdirSync(join(base, 'sys', 'lib'), { recursive: true });
    mkdirSync(join(base, 'sys', 'usr', 'share'), { recursive: true });
    writeFileSync(join(base, 'root', 'lib', 'both.so'), 'from root');
    writeFileSync(join(base, 'sys', 'lib', 'both.so'), 'from sysroot');
    writeFileSync(join(base, 'sys', 'lib', 'libc.so.6'), 'libc');
    writeFileSync(join(base, 'sys', 'usr', 'share', 'data'), 'shared');
    symlinkSync('/lib/libc.so.6', join(base, 'sys', 'usr', 'libc-link'));
    m = new FsMachine(join(base, 'root'), { sysroot: join(base, 'sys') });
  });

  afterEach(function () {
    cleanup();
  });

  it('finds absolute paths missing under the root in the sysroot, the root winning', function () {
    assert.equal(m.readFile('/lib/both.so'), 'from root');
    assert.equal(m.readFile('/lib/libc.so.6'), 'libc');
    assert.equal(m.readFile('/usr/share/data'), 'shared');
    assert.equal(m.readFile('/usr/libc-link'), 'libc', 'absolute links in the sysroot stay in it');
    assert.equal(m.readFile('lib/libc.so.6'), -ENOENT, 'relative paths do not fall back');
    assert.equal(m.readFile('/usr/share/none'), -ENOENT);
  });

  it('refuses every change in the sysroot with EROFS', function () {
    assert.equal(m.open('/lib/libc.so.6', O_RDWR), -EROFS);
    assert.equal(m.open('/usr/share/new', O_WRONLY | O_CREAT, 0o644), -EROFS);
    assert.equal(m.call(do_mkdirat(AT_FDCWD, '/usr/share/d', 0o755)), -EROFS);
    assert.equal(m.call(do_unlinkat(AT_FDCWD, '/usr/share/data')), -EROFS);
    assert.equal(m.call(do_faccessat(AT_FDCWD, '/usr/share/data', W_OK, 0)), -EROFS);
    assert.equal(m.call(do_faccessat(AT_FDCWD, '/usr/share/data', 4, 0)), 0);
    assert.equal(readFileSync(join(base, 'sys', 'usr', 'share', 'data'), 'latin1'), 'shared');
    assert.ok(m.open('/lib/new', O_WRONLY | O_CREAT, 0o644) >= 0, 'a directory the root has takes new files');
  });
});
