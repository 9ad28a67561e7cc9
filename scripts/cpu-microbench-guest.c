/*
 * Guest for scripts/cpu-microbench.ts: a CPU-bound mix (SHA-256, a sieve, double-precision
 * loops) built freestanding — no libc, no kernel — so the bare Hart can run it:
 *   riscv64-linux-gnu-gcc -O2 -nostdlib -static -ffreestanding -fno-builtin -o g cpu-microbench-guest.c
 * It leaves a checksum in a0 and stops with ecall (exit, a7 = 93).
 */
typedef unsigned int u32;
typedef unsigned long u64;

static const u32 K[64] = {
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static u32 ror(u32 x, int n) { return (x >> n) | (x << (32 - n)); }

/* One SHA-256 compression of a 64-byte block into h. */
static void sha256_block(u32 h[8], const unsigned char *p) {
  u32 w[64];
  for (int i = 0; i < 16; i++) w[i] = (u32)p[4 * i] << 24 | (u32)p[4 * i + 1] << 16 | (u32)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 64; i++) {
    u32 s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
    u32 s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  u32 a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
  for (int i = 0; i < 64; i++) {
    u32 t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
    u32 t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
    k = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

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
