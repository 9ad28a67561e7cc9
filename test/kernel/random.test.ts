import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Xoshiro128 } from '../../src/kernel/random';

/** The same seeding and generator written in C with unsigned arithmetic, as an oracle. */
const C_ORACLE = String.raw`
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
static uint32_t s[4];
static uint32_t rotl(uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
static uint32_t next(void) {
  uint32_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 9;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 11);
  return r;
}
int main(int argc, char **argv) {
  uint64_t seed = strtoull(argv[1], 0, 10);
  uint32_t x = (uint32_t)seed ^ ((uint32_t)(seed >> 32) * 0x9e3779b9u);
  for (int i = 0; i < 4; i++) {
    x += 0x9e3779b9u; uint32_t z = x;
    z = (z ^ (z >> 16)) * 0x85ebca6bu; z = (z ^ (z >> 13)) * 0xc2b2ae35u; s[i] = z ^ (z >> 16);
  }
  if (!(s[0] | s[1] | s[2] | s[3])) s[0] = 1;
  for (int i = 0; i < 8; i++) printf("%u\n", next());
  return 0;
}`;

describe('kernel/random: the seeded generator', () => {
  it('matches a C implementation of splitmix32 seeding + xoshiro128**', function () {
    if (spawnSync('gcc', ['--version']).status !== 0) this.skip(); // host gcc missing
    const dir = mkdtempSync(join(tmpdir(), 'fs-rng-'));
    try {
      writeFileSync(join(dir, 'x.c'), C_ORACLE);
      execFileSync('gcc', ['-O1', '-o', join(dir, 'x'), join(dir, 'x.c')]);
      for (const seed of [0, 1, 42, 0xdeadbeef, 2 ** 40 + 7]) {
        const want = execFileSync(join(dir, 'x'), [String(seed)], { encoding: 'utf8' }).trim().split('\n').map(Number);
        const g = new Xoshiro128(seed);
        assert.deepEqual(want.map(() => g.next32()), want, `seed ${seed}`);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is reproducible per seed and fills odd lengths', () => {
    const a = new Uint8Array(13), b = new Uint8Array(13), c = new Uint8Array(13);
    new Xoshiro128(7).fill(a);
    new Xoshiro128(7).fill(b);
    new Xoshiro128(8).fill(c);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  it('spreads bytes evenly (chi-square over 256 buckets)', () => {
    const buf = new Uint8Array(256 * 400);
    new Xoshiro128(3).fill(buf);
    const n = new Array<number>(256).fill(0);
    for (const v of buf) n[v]++;
    const chi = n.reduce((s, k) => s + (k - 400) ** 2 / 400, 0);
    assert.ok(chi < 350, `chi-square ${chi}`); // 255 degrees of freedom; p < 1e-4 above 350
  });
});
