/**
 * What hostfs keeps for the guest when the host file cannot hold it (fs/hostfs/hostfs_kern.ts):
 * an owner the host process may not give, and times finer than the host call's microseconds;
 * statfs flags of the read-only sysroot; and /proc/<pid>/maps' [heap] bounds (fs/proc/task_mmu.ts).
 */
import assert from 'node:assert/strict';
import { appendFileSync, chmodSync, lstatSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EPERM } from '../../src/kernel/errno';
import type { kstat } from '../../src/kernel/fs/fs_types';
import { do_fchownat } from '../../src/kernel/fs/open';
import { show_map_vma } from '../../src/kernel/fs/proc/task_mmu';
import { vfs_fstatat } from '../../src/kernel/fs/stat';
import { user_statfs } from '../../src/kernel/fs/statfs';
import { AT_FDCWD } from '../../src/kernel/fs/uapi';
import { do_utimes } from '../../src/kernel/fs/utimes';
import { mm_struct, vm_area_struct } from '../../src/kernel/mm/mm_types';
import { VM_READ, VM_WRITE } from '../../src/kernel/mm/vm_flags';
import { FsMachine, tempDir } from './fs_machine';

describe('fs: what hostfs keeps beside the host files', function () {
  let root: string;
  let cleanup: () => void;
  let m: FsMachine;

  beforeEach(function () {
    [root, cleanup] = tempDir('fs-hostfs-');
    writeFileSync(join(root, 'f'), 'contents');
    m = new FsMachine(root);
  });

  afterEach(function () {
    cleanup();
  });

  function stat(path: string): kstat {
    const st = m.call(vfs_fstatat(AT_FDCWD, path, 0));
    assert.notEqual(typeof st, 'number');
    return st as kstat;
  }

  it('keeps an owner the host process may not give, and leaves the host file as it was', function () {
    if (process.geteuid?.() !== 0 || process.seteuid === undefined) {
      console.log('      (the test process is not root: it cannot drop and regain privilege)');
      this.skip();
    }
    chmodSync(root, 0o755);
    const before = lstatSync(join(root, 'f'));
    // The host process acts as "nobody", so the host refuses chown with EPERM.
    process.seteuid(65534);
    let r: number;
    try {
      r = m.call(do_fchownat(AT_FDCWD, 'f', 1234, 5678, 0));
    } finally {
      process.seteuid(0);
    }
    assert.equal(r, 0);
    const st = stat('f');
    assert.deepEqual([st.uid, st.gid], [1234, 5678]);
    const host = lstatSync(join(root, 'f'));
    assert.deepEqual([host.uid, host.gid], [before.uid, before.gid]);
    // Once the host can take an owner, the kept one gives way.
    assert.equal(m.call(do_fchownat(AT_FDCWD, 'f', 42, 0xffffffff, 0)), 0);
    assert.deepEqual([stat('f').uid, stat('f').gid, lstatSync(join(root, 'f')).uid], [42, before.gid, 42]);
  });

  it('refuses a chown the guest itself may not make (EPERM), whatever the host could do', function () {
    m.task.cred.euid = m.task.cred.fsuid = 1000;
    assert.equal(m.call(do_fchownat(AT_FDCWD, 'f', 1000, 0xffffffff, 0)), -EPERM);
  });

  it('shows the nanoseconds set while the host still shows the microseconds it keeps', function () {
    const times: [{ tv_sec: bigint; tv_nsec: number }, { tv_sec: bigint; tv_nsec: number }] = [
      { tv_sec: 1_000_000_000n, tv_nsec: 123_456_789 }, { tv_sec: 1_500_000_000n, tv_nsec: 987_654_321 },
    ];
    assert.equal(m.call(do_utimes(AT_FDCWD, 'f', times, 0)), 0);
    const host = lstatSync(join(root, 'f'), { bigint: true });
    assert.equal(host.mtimeNs, 1_500_000_000_987_654_000n, 'the host keeps microseconds');
    assert.equal(stat('f').mtime, 1_500_000_000_987_654_321n);
    assert.equal(stat('f').atime, 1_000_000_000_123_456_789n);
    // A change made on the host side wins over what was kept.
    appendFileSync(join(root, 'f'), 'more');
    assert.equal(stat('f').mtime, lstatSync(join(root, 'f'), { bigint: true }).mtimeNs);
  });

  it('says ST_RDONLY for the sysroot and not for the root', function () {
    const [sysroot, cleanSys] = tempDir('fs-sysroot-');
    try {
      writeFileSync(join(sysroot, 'lib'), '');
      const s = new FsMachine(root, { sysroot });
      const flags = (path: string): bigint => {
        const b = s.call(user_statfs(path));
        assert.ok(b instanceof Uint8Array);
        return new DataView(b.buffer).getBigInt64(80, true);
      };
      assert.equal(flags('/lib') & 1n, 1n);
      assert.equal(flags('/f') & 1n, 0n);
    } finally {
      cleanSys();
    }
  });
});

describe('fs: /proc/<pid>/maps names the heap as Linux does', function () {
  it('labels [heap] only a VMA that overlaps [start_brk, brk) (strict bounds)', function () {
    const mm = new mm_struct(1);
    mm.start_brk = 0x20000;
    mm.brk = 0x20000;
    const bss = new vm_area_struct(mm, 0x1f000, 0x20000, VM_READ | VM_WRITE);
    assert.ok(!show_map_vma(mm, bss).includes('[heap]'), 'a bss ending at start_brk is not the heap');
    mm.brk = 0x22000;
    const heap = new vm_area_struct(mm, 0x20000, 0x22000, VM_READ | VM_WRITE);
    assert.ok(show_map_vma(mm, heap).endsWith('[heap]\n'));
    assert.ok(!show_map_vma(mm, bss).includes('[heap]'));
    const above = new vm_area_struct(mm, 0x22000, 0x23000, VM_READ | VM_WRITE);
    assert.ok(!show_map_vma(mm, above).includes('[heap]'), 'a VMA starting at brk is not the heap');
  });
});
