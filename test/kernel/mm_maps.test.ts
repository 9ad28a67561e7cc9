/**
 * /proc/<pid>/maps after a scripted sequence of mmap, mprotect, munmap, mremap and madvise calls,
 * compared with real Linux: a C program built for the host makes the calls in a fixed region and
 * prints its VMAs after each step (page offsets and permissions — the layout inside the region
 * does not depend on the architecture); the emulated kernel makes the same calls.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dentry, file, FMODE_READ, files_struct, type inode } from '../../src/kernel/fs/fs_types';
import type { MappedFile } from '../../src/kernel/mm/mm_types';
import { mm_syscalls } from '../../src/kernel/mm/syscalls';
import { layout, machine, PAGE, run, writeByte } from './mm_machine';

const BASE = 0x200000000;
const REGION = 64 * PAGE;

/** Each step: a call (with page numbers relative to BASE as `P(n)`), or `touch P(n)` (a write). */
const STEPS = `
mmap(P(0), 16*4096, 3, 0x32, -1, 0)
mprotect(P(2), 2*4096, 1)
munmap(P(8), 4096)
mmap(P(8), 4096, 3, 0x32, -1, 0)
touch P(0)
touch P(10)
mprotect(P(2), 2*4096, 3)
mprotect(P(0), 16*4096, 1)
mprotect(P(0), 16*4096, 3)
mremap(P(12), 2*4096, 2*4096, 3, P(20))
mremap(P(20), 2*4096, 4*4096, 1, 0)
madvise(P(4), 2*4096, 10)
madvise(P(4), 2*4096, 11)
mmap(P(30), 4096, 3, 0x31, -1, 0)
mmap(P(31), 4096, 3, 0x31, -1, 0)
mmap(P(40), 2*4096, 1, 0x12, 3, 0)
mmap(P(42), 4096, 1, 0x12, 3, 8192)
mmap(P(44), 4096, 1, 0x12, 3, 0)
mprotect(P(41), 4096, 0)
munmap(P(0), 64*4096)
mmap(P(0), 4*4096, 0, 0x20022, -1, 0)
mprotect(P(1), 3*4096, 3)
touch P(2)
mmap(P(4), 4*4096, 3, 0x32, -1, 0)
touch P(5)
mprotect(P(4), 4*4096, 1)
mprotect(P(4), 4*4096, 3)
`.trim().split('\n');

function cProgram(): string {
  const body = STEPS.map((s, i) => {
    const c = s.startsWith('touch') ? `*(volatile char *)(${s.slice(6)}) = 1;` : `r = (long)${s.replace(/^(\w+)\(P\((\d+)\)/, '$1((void *)P($2)').replace(/, P\((\d+)\)\)$/, ', (void *)P($1))')};`;
    return `  ${c} report(${i});`;
  });
  return `#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#define BASE 0x200000000UL
#define P(n) (BASE + (n) * 4096UL)
static long r;
static void report(int step) {
  char line[512];
  FILE *f = fopen("/proc/self/maps", "r");
  printf("%d %ld:", step, r == -1 || r == (long)MAP_FAILED ? -1L : 0L);
  while (fgets(line, sizeof line, f)) {
    unsigned long s, e; char perms[5];
    if (sscanf(line, "%lx-%lx %4s", &s, &e, perms) != 3) continue;
    if (e <= BASE || s >= BASE + ${REGION}UL) continue;
    printf(" %lu-%lu %s", (s - BASE) / 4096, (e - BASE) / 4096, perms);
  }
  printf("\\n");
  fclose(f);
}
int main(int argc, char **argv) {
  dup2(open(argv[1], O_RDONLY), 3);
${body.join('\n')}
  return 0;
}
`;
}

class MemFile implements MappedFile {
  readonly path = '/data';
  readonly dev = 0x801;
  readonly ino = 5;
  size(): number {
    return 4 * PAGE;
  }
  readAt(dst: Uint8Array): number {
    dst.fill(0x61);
    return dst.length;
  }
  writeAt(): void {}
}

describe('mm: /proc/self/maps after a sequence of calls, compared with Linux', function () {
  let linux: string[];
  before(function () {
    if (spawnSync('gcc', ['--version']).status !== 0) {
      this.skip();
      return;
    }
    const dir = mkdtempSync(join(tmpdir(), 'mm-maps-'));
    writeFileSync(join(dir, 'maps.c'), cProgram());
    writeFileSync(join(dir, 'data'), Buffer.alloc(4 * PAGE, 0x61));
    execFileSync('gcc', ['-O0', '-w', '-o', join(dir, 'maps'), join(dir, 'maps.c')]);
    linux = execFileSync(join(dir, 'maps'), [join(dir, 'data')]).toString().trim().split('\n');
  });

  it('shows the same VMAs (splits and merges) after every step', function () {
    const m = machine();
    const fops = { mmap: () => mapped };
    const mapped = new MemFile();
    const ino = { i_ino: 5, i_mode: 0o100644, i_fop: fops } as unknown as inode;
    m.t.files = new files_struct();
    m.t.files.fd[3] = new file(new dentry('data', null, ino), 0, FMODE_READ, fops);
    const P = (n: number) => BASE + n * PAGE;
    const ours = STEPS.map((s, i) => {
      let r = 0;
      if (s.startsWith('touch')) {
        writeByte(m.k, Function('P', `return ${s.slice(6)};`)(P) as number, 1);
      } else {
        const [, name, args] = /^(\w+)\((.*)\)$/.exec(s)!;
        const nr = mm_syscalls.find((e) => e.name === name)!;
        const a = Function('P', `return [${args}];`)(P) as number[];
        r = run(nr.fn(a[0], a[1], a[2], a[3] ?? 0, a[4] ?? 0, a[5] ?? 0));
      }
      const vmas = layout(m.mm, BASE, REGION);
      return `${i} ${r < 0 && r > -4096 ? -1 : 0}:${vmas.map((v) => ' ' + v).join('')}`;
    });
    assert.deepEqual(ours, linux);
  });
});
