/**
 * The mm system calls' answers to bad arguments, compared with real Linux: the same calls are
 * made by a C program built for the host (x86-64 — these checks are architecture-independent)
 * and by the emulated kernel through its system-call table. Plus file mappings: the page cache,
 * copy-on-write of file pages, write-back of MAP_SHARED pages, SIGBUS past the end of a file.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dentry, file, FMODE_READ, FMODE_WRITE, files_struct, type file_operations, type inode } from '../../src/kernel/fs/fs_types';
import { filemap_flush_file, filemap_refresh_file } from '../../src/kernel/mm/filemap';
import { do_vmi_munmap, vm_mmap } from '../../src/kernel/mm/mmap';
import type { MappedFile } from '../../src/kernel/mm/mm_types';
import { sys_msync, MS_SYNC } from '../../src/kernel/mm/msync';
import { mm_syscalls } from '../../src/kernel/mm/syscalls';
import { MAP_PRIVATE, MAP_SHARED, PROT_READ, PROT_WRITE } from '../../src/kernel/mm/vm_flags';
import { BUS_ADRERR, SIGBUS } from '../../src/kernel/signal_types';
import { machine, PAGE, readByte, run, type TestMachine, user, writeByte } from './mm_machine';
import { requireTool } from '../tools';

/** A file held in memory. */
class MemFile implements MappedFile {
  readonly dev = 0x801;
  writes = 0;
  constructor(readonly path: string, readonly ino: number, public data: Uint8Array) {}
  size(): number {
    return this.data.length;
  }
  readAt(dst: Uint8Array, offset: number): number {
    const n = Math.max(0, Math.min(dst.length, this.data.length - offset));
    dst.set(this.data.subarray(offset, offset + n));
    return n;
  }
  writeAt(src: Uint8Array, offset: number): void {
    this.writes++;
    this.data.set(src, offset);
  }
}

function openFile(f_mode: number, mapped: MappedFile | null): file {
  const fop: file_operations = mapped === null ? {} : { mmap: () => mapped };
  const ino = { i_ino: 1, i_mode: 0o100644, i_fop: fop } as unknown as inode;
  return new file(new dentry('f', null, ino), 0, f_mode, fop);
}

function sys(nr: number, ...a: number[]): number {
  const e = mm_syscalls.find((x) => x.nr === nr)!;
  return run(e.fn(a[0] ?? 0, a[1] ?? 0, a[2] ?? 0, a[3] ?? 0, a[4] ?? 0, a[5] ?? 0));
}

const MMAP = 222, MUNMAP = 215, MREMAP = 216, MPROTECT = 226, MSYNC = 227, MINCORE = 232, MADVISE = 233;
const BASE = 0x200000000;

/**
 * Each case: a name, then the call. `top` is TASK_SIZE of the machine. The C twin below makes the
 * same calls in the same order, so state (mappings made by earlier cases) is the same.
 */
const CASES = `
mmap_len0            mmap(0, 0, 3, 0x22, -1, 0)
mmap_len_huge        mmap(0, -4096, 3, 0x22, -1, 0)
mmap_len_wraps       mmap(0, -100, 3, 0x22, -1, 0)
mmap_off_unaligned   mmap(0, 4096, 3, 0x22, -1, 100)
mmap_no_type         mmap(0, 4096, 3, 0x20, -1, 0)
mmap_fixed_unaligned mmap(BASE+1, 4096, 3, 0x32, -1, 0)
mmap_fixed_past_top  mmap(TOP-4096, 8192, 3, 0x32, -1, 0)
mmap_base            mmap(BASE, 16*4096, 3, 0x32, -1, 0)
mmap_noreplace       mmap(BASE, 4096, 3, 0x100022, -1, 0)
mmap_hugetlb         mmap(0, 2097152, 3, 0x40022, -1, 0)
mmap_shared_growsdn  mmap(0, 4096, 3, 0x121, -1, 0)
mmap_bad_fd          mmap(0, 4096, 1, 0x02, 99, 0)
mmap_ro_shared_write mmap(0, 4096, 3, 0x01, 3, 0)
mmap_ro_private_rw   mmap(0, 4096, 3, 0x02, 3, 0)
mmap_wronly          mmap(0, 4096, 1, 0x02, 4, 0)
mmap_no_mmap_op      mmap(0, 4096, 1, 0x02, 6, 0)
mmap_validate_bad    mmap(0, 4096, 1, 0x200003, 5, 0)
mmap_validate_ok     mmap(0, 4096, 1, 0x03, 5, 0)
mmap_ro_shared_read  mmap(BASE+32*4096, 4096, 1, 0x11, 3, 0)
munmap_unaligned     munmap(BASE+1, 4096)
munmap_len0          munmap(BASE, 0)
munmap_len_huge      munmap(BASE, -4096)
munmap_hole          munmap(BASE+64*4096, 4096)
mprotect_bad_prot    mprotect(BASE, 4096, 0x100)
mprotect_unaligned   mprotect(BASE+1, 4096, 1)
mprotect_unmapped    mprotect(BASE+64*4096, 4096, 1)
mprotect_len_wraps   mprotect(BASE, -1, 1)
mprotect_both_grows  mprotect(BASE, 4096, 0x3000001)
mprotect_growsdown   mprotect(BASE, 4096, 0x1000001)
mprotect_len0        mprotect(BASE, 0, 1)
mprotect_ro_shared_w mprotect(BASE+32*4096, 4096, 3)
mprotect_ro_shared_x mprotect(BASE+32*4096, 4096, 5)
munmap_middle        munmap(BASE+4*4096, 4096)
mprotect_hole        mprotect(BASE, 8*4096, 1)
mremap_bad_flags     mremap(BASE, 4096, 8192, 8, 0)
mremap_fixed_nomove  mremap(BASE, 4096, 4096, 2, BASE+40*4096)
mremap_new_len0      mremap(BASE, 4096, 0, 1, 0)
mremap_unmapped      mremap(BASE+4*4096, 4096, 8192, 1, 0)
mremap_unaligned     mremap(BASE+1, 4096, 8192, 1, 0)
mremap_crosses       mremap(BASE+3*4096, 8192, 16384, 1, 0)
mremap_grow_inplace  mremap(BASE+3*4096, 4096, 8192, 0, 0)
mremap_dontunmap_rs  mremap(BASE+5*4096, 4096, 8192, 5, 0)
mremap_fixed_overlap mremap(BASE+5*4096, 8192, 8192, 3, BASE+6*4096)
mremap_shrink        mremap(BASE+5*4096, 8192, 4096, 0, 0)
madvise_bad          madvise(BASE, 4096, 99)
madvise_unaligned    madvise(BASE+1, 4096, 4)
madvise_len_wraps    madvise(BASE, -1, 4)
madvise_hole         madvise(BASE, 8*4096, 4)
madvise_len0         madvise(BASE, 0, 4)
madvise_free_file    madvise(BASE+32*4096, 4096, 8)
madvise_wipe_file    madvise(BASE+32*4096, 4096, 18)
madvise_dontneed     madvise(BASE, 4096, 4)
msync_bad_flags      msync(BASE, 4096, 8)
msync_async_sync     msync(BASE, 4096, 5)
msync_unaligned      msync(BASE+1, 4096, 4)
msync_unmapped       msync(BASE+64*4096, 4096, 4)
msync_hole_async     msync(BASE, 8*4096, 1)
msync_hole_sync      msync(BASE, 8*4096, 4)
msync_ok             msync(BASE, 4096, 4)
mincore_unaligned    mincore(BASE+1, 4096, VEC)
mincore_unmapped     mincore(BASE+64*4096, 4096, VEC)
mincore_hole         mincore(BASE, 8*4096, VEC)
mincore_bad_vec      mincore(BASE, 4096, 16)
mincore_ok           mincore(BASE, 4096, VEC)
`.trim().split('\n').map((line) => {
  const m = /^(\S+)\s+(\w+)\((.*)\)$/.exec(line)!;
  return { name: m[1], call: m[2], args: m[3].split(',').map((s) => s.trim()) };
});

/** The C program: prints each case's name and 0 or the errno. */
function cProgram(): string {
  const lines = CASES.map((c) => {
    const args = c.args.map((a) => a.replace(/^-(\d+)$/, '(long)-$1')).join(', ');
    const call = c.call === 'mmap' || c.call === 'mremap' ? `(long)${c.call}(${args.replace(/^(\w+)/, '(void *)($1)')})` : `${c.call}((void *)(${c.args[0]}), ${c.args.slice(1).join(', ').replace(/(^|, )-(\d+)/g, '$1(long)-$2')})`;
    return `  errno = 0; r = ${call}; printf("%s %d\\n", "${c.name}", (r == -1 || r == (long)MAP_FAILED) ? errno : 0);`;
  });
  return `#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>
#define BASE 0x200000000L
#define TOP 0x7ffffffff000L
int main(int argc, char **argv) {
  long r;
  unsigned char vec[64];
  long VEC = (long)vec;
  int p[2];
  dup2(open(argv[1], O_RDONLY), 3);
  dup2(open(argv[1], O_WRONLY), 4);
  dup2(open(argv[1], O_RDWR), 5);
  if (pipe(p) != 0) return 1;
  dup2(p[0], 6);
${lines.join('\n')}
  return 0;
}
`;
}

describe('mm: system-call errors, compared with Linux', function () {
  let linux: Map<string, number>;
  before(function () {
    requireTool(this, 'gcc');
    const dir = mkdtempSync(join(tmpdir(), 'mm-errno-'));
    writeFileSync(join(dir, 'errno.c'), cProgram());
    writeFileSync(join(dir, 'data'), Buffer.alloc(3 * PAGE, 0x61));
    execFileSync('gcc', ['-O0', '-w', '-o', join(dir, 'errno'), join(dir, 'errno.c')]);
    const out = execFileSync(join(dir, 'errno'), [join(dir, 'data')]).toString();
    linux = new Map(out.trim().split('\n').map((l) => {
      const [n, e] = l.split(' ');
      return [n, Number(e)] as [string, number];
    }));
  });

  it('answers every case as Linux does', function () {
    const m = machine();
    const data = new MemFile('/data', 7, new Uint8Array(3 * PAGE).fill(0x61));
    const files = new files_struct();
    files.fd[3] = openFile(FMODE_READ, data);
    files.fd[4] = openFile(FMODE_WRITE, data);
    files.fd[5] = openFile(FMODE_READ | FMODE_WRITE, data);
    files.fd[6] = openFile(FMODE_READ, null);
    m.t.files = files;
    const vec = run(vm_mmap(null, 0, PAGE, PROT_READ | PROT_WRITE, 0x22, 0));
    const TOP = 2 ** 38;
    const value = (a: string): number => {
      const v = a.replace(/BASE/g, String(BASE)).replace(/TOP/g, String(TOP)).replace(/VEC/g, String(vec));
      return Function(`return (${v});`)() as number;
    };
    const nrs: Record<string, number> = { mmap: MMAP, munmap: MUNMAP, mremap: MREMAP, mprotect: MPROTECT, msync: MSYNC, mincore: MINCORE, madvise: MADVISE };
    const diffs: string[] = [];
    for (const c of CASES) {
      const r = sys(nrs[c.call], ...c.args.map(value));
      const ours = r < 0 && r > -4096 ? -r : 0;
      if (ours !== linux.get(c.name)) diffs.push(`${c.name}: Linux ${linux.get(c.name)}, Forkscope ${ours}`);
    }
    assert.deepEqual(diffs, []);
    assert.ok([...linux.values()].filter((e) => e !== 0).length > 40, 'the cases do exercise errors');
  });
});

describe('mm: file mappings', function () {
  function withFile(bytes: number): { m: TestMachine; f: MemFile } {
    const m = machine();
    const f = new MemFile('/f', 9, new Uint8Array(bytes).map((_v, i) => (i % 251) + 1));
    return { m, f };
  }

  it('shares one page-cache frame between private mappings, and copies it on write', function () {
    const { m, f } = withFile(2 * PAGE);
    const a = run(vm_mmap(f, 0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, 0));
    const b = run(vm_mmap(f, 0, 2 * PAGE, PROT_READ, MAP_PRIVATE, 0));
    assert.equal(readByte(m.k, a + 5), 6);
    assert.equal(readByte(m.k, b + 5), 6);
    assert.equal(m.k.pages.page_cache.size, 1);
    assert.equal([...m.k.pages.page_cache.values()][0].i_pages.size, 1);
    assert.equal(m.mm.rss_stat[0], 2, 'two file pages mapped');
    assert.equal(m.k.pages.nr_file_mapped, 1, 'one cached frame');
    writeByte(m.k, a + 5, 0);
    assert.equal(readByte(m.k, a + 5), 0);
    assert.equal(readByte(m.k, b + 5), 6, 'the other mapping still sees the file');
    assert.equal(f.data[5], 6, 'the file is untouched');
    assert.deepEqual(m.mm.rss_stat.slice(0, 2), [1, 1], 'one file page, one anonymous copy');
    assert.equal(f.writes, 0);
  });

  it('writes MAP_SHARED pages back at msync and munmap, never past the end of the file', function () {
    const { m, f } = withFile(PAGE + 10);
    m.t.files = new files_struct();
    m.t.files.fd[3] = openFile(FMODE_READ | FMODE_WRITE, f);
    const a = sys(MMAP, 0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 3, 0);
    writeByte(m.k, a, 0xaa);
    assert.equal(f.data[0], 1, 'not yet written back');
    assert.equal(run(sys_msync(a, 2 * PAGE, MS_SYNC)), 0);
    assert.equal(f.data[0], 0xaa);
    writeByte(m.k, a + PAGE + 3, 0xbb);
    writeByte(m.k, a + PAGE + 20, 0xcc);
    assert.equal(run(do_vmi_munmap(m.mm, a, 2 * PAGE)), 0);
    assert.equal(f.data[PAGE + 3], 0xbb);
    assert.equal(f.data.length, PAGE + 10, 'the byte past the end was not written');
    assert.equal(m.k.pages.page_cache.size, 0);
  });

  it('keeps mappings coherent with read() and write() of the file (flush before, refresh after)', function () {
    const { m, f } = withFile(2 * PAGE);
    m.t.files = new files_struct();
    m.t.files.fd[3] = openFile(FMODE_READ | FMODE_WRITE, f);
    const a = sys(MMAP, 0, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, 3, 0);
    writeByte(m.k, a + 1, 0x55);
    filemap_flush_file({ dev: f.dev, ino: f.ino });
    assert.equal(f.data[1], 0x55, 'a read() after the store sees it');
    f.data[PAGE + 7] = 0x66;
    filemap_refresh_file({ dev: f.dev, ino: f.ino }, PAGE + 7, 1);
    assert.equal(readByte(m.k, a + PAGE + 7), 0x66, 'the mapping sees a write()');
    assert.equal(readByte(m.k, a + 1), 0x55);
  });

  it('raises SIGBUS (BUS_ADRERR) for a page wholly past the end of the file, zeros after it in the last page', function () {
    const { m, f } = withFile(100);
    const a = run(vm_mmap(f, 0, 2 * PAGE, PROT_READ, MAP_PRIVATE, 0));
    assert.equal(readByte(m.k, a + 99), 100);
    assert.equal(readByte(m.k, a + 100), 0);
    assert.deepEqual(user(m.k, a + PAGE, false), { signo: SIGBUS, si_code: BUS_ADRERR, addr: BigInt(a + PAGE) });
  });
});
