/*
 * bench: a CPU-bound workload for measuring the emulator.
 *
 * Three kernels that exercise different parts of the CPU: SHA-256 over a
 * generated buffer (32-bit integer rotates, shifts, adds and loads), a
 * sieve of Eratosthenes (byte stores and branches over a large array) and a
 * Mandelbrot set (double-precision multiply-add and compares). At scale 1 it
 * retires about 500 million RISC-V instructions when built with -O2. It
 * prints only results, so the output is the same on every machine.
 *
 * Usage: ./bench [SCALE]      SCALE multiplies the work (default 1, e.g. 0.1)
 * Exit status: 0, or 2 for a bad SCALE.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

/* ---- SHA-256 (FIPS 180-4), written for clarity rather than speed ---- */

static const uint32_t round_constants[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

/* Mix one 64-byte block into the state. */
static void sha256_block(uint32_t state[8], const uint8_t *block)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)block[4 * i] << 24 | (uint32_t)block[4 * i + 1] << 16 |
		       (uint32_t)block[4 * i + 2] << 8 | block[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
	uint32_t e = state[4], f = state[5], g = state[6], h = state[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) +
			      round_constants[i] + w[i];
		uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	state[0] += a; state[1] += b; state[2] += c; state[3] += d;
	state[4] += e; state[5] += f; state[6] += g; state[7] += h;
}

/* SHA-256 of a whole buffer: the blocks, then the padding (a 1 bit, zeros,
 * and the length in bits as a big-endian 64-bit number). */
static void sha256(const uint8_t *data, size_t length, uint8_t digest[32])
{
	uint32_t state[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
			      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };
	size_t done = 0;
	for (; length - done >= 64; done += 64)
		sha256_block(state, data + done);
	uint8_t tail[128] = { 0 };
	size_t rest = length - done;
	memcpy(tail, data + done, rest);
	tail[rest] = 0x80;
	size_t tail_length = rest < 56 ? 64 : 128;
	uint64_t bits = (uint64_t)length * 8;
	for (int i = 0; i < 8; i++)
		tail[tail_length - 1 - i] = (uint8_t)(bits >> (8 * i));
	for (size_t off = 0; off < tail_length; off += 64)
		sha256_block(state, tail + off);
	for (int i = 0; i < 32; i++)
		digest[i] = (uint8_t)(state[i / 4] >> (24 - 8 * (i % 4)));
}

/* ---- sieve of Eratosthenes ---- */

static long count_primes(long limit)
{
	char *composite = calloc(limit + 1, 1);
	long count = 0;
	for (long i = 2; i <= limit; i++) {
		if (composite[i])
			continue;
		count++;
		for (long j = i * i; j <= limit; j += i)
			composite[j] = 1;
	}
	free(composite);
	return count;
}

/* ---- Mandelbrot set: points of a grid that stay bounded ---- */

static long mandelbrot_inside(int size, int max_iterations)
{
	long inside = 0;
	for (int row = 0; row < size; row++) {
		double ci = -1.5 + 3.0 * row / size;
		for (int col = 0; col < size; col++) {
			double cr = -2.0 + 3.0 * col / size;
			double zr = 0, zi = 0;
			int n = 0;
			while (n < max_iterations && zr * zr + zi * zi <= 4.0) {
				double t = zr * zr - zi * zi + cr;
				zi = 2 * zr * zi + ci;
				zr = t;
				n++;
			}
			inside += n == max_iterations;
		}
	}
	return inside;
}

int main(int argc, char **argv)
{
	double scale = argc > 1 ? strtod(argv[1], NULL) : 1.0;
	if (!(scale > 0 && scale <= 1000)) {
		fprintf(stderr, "usage: %s [SCALE], SCALE in (0, 1000]\n", argv[0]);
		return 2;
	}

	/* SHA-256 of a buffer filled by a linear congruential generator. */
	size_t length = (size_t)(2e6 * scale);
	uint8_t *buffer = malloc(length + 1);
	uint32_t x = 12345;
	for (size_t i = 0; i < length; i++) {
		x = x * 1103515245 + 12345;
		buffer[i] = (uint8_t)(x >> 16);
	}
	uint8_t digest[32];
	sha256(buffer, length, digest);
	free(buffer);
	printf("sha256 of %zu generated bytes: ", length);
	for (int i = 0; i < 32; i++)
		printf("%02x", digest[i]);
	printf("\n");

	long limit = (long)(1.2e7 * scale);
	long primes = count_primes(limit);
	printf("primes up to %ld: %ld\n", limit, primes);

	/* The grid's side grows with the square root of the scale: the work grows with its area. */
	int size = (int)(360 * sqrt(scale));
	if (size < 1)
		size = 1;
	long inside = mandelbrot_inside(size, 500);
	printf("mandelbrot %dx%d grid, 500 iterations: %ld points inside\n", size, size, inside);

	/* One number that changes if any part computed something else. */
	uint64_t checksum = primes * 1000003ULL + (uint64_t)inside;
	for (int i = 0; i < 32; i++)
		checksum = checksum * 31 + digest[i];
	printf("checksum %016llx\n", (unsigned long long)checksum);
	return 0;
}
