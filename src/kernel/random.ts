/**
 * The machine's random numbers (drivers/char/random.c): what get_random_bytes(), getrandom,
 * AT_RANDOM, /dev/urandom and /dev/random hand out.
 *
 * Linux mixes hardware entropy into a ChaCha-based generator. Forkscope must be deterministic
 * (design.md, decision 3), so every byte comes from one xoshiro128** generator (Blackman and
 * Vigna's small, well-studied PRNG) whose state is filled by splitmix32 from the machine's `seed`
 * option: the same seed gives the same bytes in the same order, run after run.
 */
import type { file_operations, kiocb } from './fs/fs_types';
import type { iov_iter } from './fs/iov_iter';
import { kernel, type KGen } from './kfunc';
import type { Kernel } from './kernel';

/** xoshiro128**: 128 bits of state, 32-bit outputs. Not cryptographic; reproducible. */
export class Xoshiro128 {
  private readonly s = new Uint32Array(4);

  constructor(seed: number) {
    // splitmix32 over the low and high halves of the seed spreads any seed (even 0) over the
    // whole state, which must never be all zero.
    let x = (seed >>> 0) ^ Math.imul(Math.floor(seed / 0x1_0000_0000) >>> 0, 0x9e3779b9);
    for (let i = 0; i < 4; i++) {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      this.s[i] = (z ^ (z >>> 16)) >>> 0;
    }
    if ((this.s[0] | this.s[1] | this.s[2] | this.s[3]) === 0) this.s[0] = 1;
  }

  next32(): number {
    const s = this.s;
    const m = Math.imul(s[1], 5);
    const result = Math.imul((m << 7) | (m >>> 25), 9) >>> 0;
    const t = s[1] << 9;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 11) | (s[3] >>> 21);
    return result;
  }

  fill(buf: Uint8Array): void {
    let i = 0;
    for (; i + 4 <= buf.length; i += 4) {
      const v = this.next32();
      buf[i] = v;
      buf[i + 1] = v >>> 8;
      buf[i + 2] = v >>> 16;
      buf[i + 3] = v >>> 24;
    }
    if (i < buf.length) {
      let v = this.next32();
      for (; i < buf.length; i++, v >>>= 8) buf[i] = v;
    }
  }
}

/** One generator per machine, created on first use from the machine's seed. */
const generators = new WeakMap<Kernel, Xoshiro128>();

function crng(k: Kernel): Xoshiro128 {
  let g = generators.get(k);
  if (g === undefined) {
    g = new Xoshiro128(k.options.seed);
    generators.set(k, g);
  }
  return g;
}

/** get_random_bytes: fills `buf` from the running machine's generator. */
export function get_random_bytes(buf: Uint8Array): void {
  crng(kernel()).fill(buf);
}

/** get_random_u32: one 32-bit value from the running machine's generator. */
export function get_random_u32(): number {
  return crng(kernel()).next32();
}

/** /dev/random and /dev/urandom (random_fops, urandom_fops): reads draw from the generator. */
function* random_read_iter(_iocb: kiocb, to: iov_iter): KGen<number> {
  const buf = new Uint8Array(256);
  let total = 0;
  while (to.count > 0) {
    const want = Math.min(to.count, buf.length);
    get_random_bytes(buf.subarray(0, want));
    const n = yield* to.copy_to_iter(buf.subarray(0, want));
    total += n;
    if (n < want) break;
  }
  return total;
}

/** Writing mixes entropy into Linux's pool; a deterministic machine accepts and ignores it. */
function* random_write_iter(_iocb: kiocb, from: iov_iter): KGen<number> {
  return from.count;
}

export const RANDOM_MAJOR = 1;
export const RANDOM_MINOR = 8;
export const URANDOM_MINOR = 9;

/** noop_llseek: the position never matters, so seeks succeed and change nothing. */
export const random_fops: file_operations = {
  read_iter: random_read_iter,
  write_iter: random_write_iter,
  llseek: (f) => f.f_pos,
};
