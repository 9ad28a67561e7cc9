/*
 * Guest for scripts/cpu-microbench.ts: a CPU-bound mix (SHA-256, a sieve, double-precision
 * loops) built freestanding — no libc, no kernel — so the bare Hart can run it:
 *   riscv64-linux-gnu-gcc -O2 -nostdlib -static -ffreestanding -fno-builtin -o g cpu-microbench-guest.c
 * It leaves a checksum in a0 and stops with ecall (exit, a7 = 93).
 */
typedef unsigned int u32;
typedef unsigned long u64;

#include "../examples/sha256_block.h"

static unsigned char data[4096];
static unsigned char sieve[200000];

static u64 sha_part(void) {
  u32 h[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
  for (int i = 0; i < (int)sizeof data; i++) data[i] = (unsigned char)(i * 7 + 3);
  for (int round = 0; round < 60; round++)
    for (int off = 0; off < (int)sizeof data; off += 64) sha256_block(h, data + off);
  return h[0] ^ h[7];
}

static u64 sieve_part(void) {
  u64 count = 0;
  for (int round = 0; round < 20; round++) {
    for (int i = 0; i < (int)sizeof sieve; i++) sieve[i] = 1;
    for (int i = 2; (long)i * i < (long)sizeof sieve; i++)
      if (sieve[i])
        for (int j = i * i; j < (int)sizeof sieve; j += i) sieve[j] = 0;
    for (int i = 2; i < (int)sizeof sieve; i++) count += sieve[i];
  }
  return count;
}

static u64 fp_part(void) {
  /* A small Mandelbrot set: multiply-adds, compares, conversions. */
  u64 inside = 0;
  for (int y = 0; y < 120; y++)
    for (int x = 0; x < 160; x++) {
      double cr = -2.0 + x * (3.0 / 160), ci = -1.2 + y * (2.4 / 120), zr = 0, zi = 0;
      int n = 0;
      while (n < 200 && zr * zr + zi * zi < 4.0) {
        double t = zr * zr - zi * zi + cr;
        zi = 2 * zr * zi + ci;
        zr = t;
        n++;
      }
      inside += n;
    }
  return inside;
}

void _start(void) {
  u64 sum = sha_part() + sieve_part() + fp_part();
  register u64 a0 __asm__("a0") = sum;
  register u64 a7 __asm__("a7") = 93;
  __asm__ volatile("ecall" : : "r"(a0), "r"(a7));
  for (;;) {}
}
