/*
 * malloc: how the C library's allocator gets memory from the kernel.
 *
 * Small blocks come from the heap, which glibc grows with brk(2); blocks of
 * 128 KiB and more get their own mmap(2) mapping, returned to the kernel by
 * munmap(2) on free(). The 64 MiB block is touched page by page: each first
 * write is a page fault that makes the kernel give the page a real frame.
 *
 * Exit status: the number of checks that failed (0 when everything holds).
 */
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BLOCKS 100
#define BIG (64UL << 20)

static int failures;

static void check(const char *what, int holds)
{
	printf("%-50s %s\n", what, holds ? "yes" : "NO");
	if (!holds)
		failures++;
}

/* Fill a block with a pattern that depends on its index, so that blocks
 * overlapping each other would be noticed. */
static void fill(unsigned char *p, size_t size, int seed)
{
	for (size_t i = 0; i < size; i++)
		p[i] = (unsigned char)(seed * 31 + i);
}

static int intact(const unsigned char *p, size_t size, int seed)
{
	for (size_t i = 0; i < size; i++)
		if (p[i] != (unsigned char)(seed * 31 + i))
			return 0;
	return 1;
}

int main(void)
{
	/* Many sizes: mostly small heap blocks, and every 25th one large enough
	 * (256 KiB) to get a mapping of its own. */
	static unsigned char *block[BLOCKS];
	static size_t size[BLOCKS];
	int aligned = 1, usable = 1;
	void *heap_start = sbrk(0);
	for (int i = 0; i < BLOCKS; i++) {
		size[i] = i % 25 == 24 ? 256 << 10 : 1 + (size_t)i * i;
		block[i] = malloc(size[i]);
		if (block[i] == NULL) {
			printf("malloc(%zu) failed\n", size[i]);
			return 1;
		}
		aligned &= (uintptr_t)block[i] % 16 == 0;
		usable &= malloc_usable_size(block[i]) >= size[i];
		fill(block[i], size[i], i);
	}
	printf("allocated %d blocks of 1 byte to 256 KiB\n", BLOCKS);
	check("every block is 16-byte aligned", aligned);
	check("every block is at least as large as asked", usable);
	check("the heap grew (brk moved)", sbrk(0) > heap_start);

	int ok = 1;
	for (int i = 0; i < BLOCKS; i++)
		ok &= intact(block[i], size[i], i);
	check("no block overwrote another", ok);

	/* realloc keeps the old contents, wherever the block ends up. */
	ok = 1;
	for (int i = 0; i < BLOCKS; i += 10) {
		unsigned char *bigger = realloc(block[i], size[i] * 3 + 100);
		ok &= bigger != NULL && intact(bigger, size[i], i);
		block[i] = bigger;
	}
	check("realloc to a larger size kept the contents", ok);
	ok = 1;
	for (int i = 5; i < BLOCKS; i += 10) {
		unsigned char *smaller = realloc(block[i], size[i] / 2 + 1);
		ok &= smaller != NULL && intact(smaller, size[i] / 2 + 1, i);
		block[i] = smaller;
	}
	check("realloc to a smaller size kept the prefix", ok);

	for (int i = 0; i < BLOCKS; i++)
		free(block[i]);
	printf("freed all blocks\n");

	/* One big block: glibc maps it on its own, so mallinfo2 counts it. */
	struct mallinfo2 before = mallinfo2();
	unsigned char *big = malloc(BIG);
	if (big == NULL) {
		printf("malloc(64 MiB) failed: %s\n", strerror(errno));
		return 1;
	}
	struct mallinfo2 during = mallinfo2();
	check("64 MiB block comes from its own mmap",
	      during.hblks == before.hblks + 1 && during.hblkhd >= before.hblkhd + BIG);

	/* Touch one byte per page, then read them all back. */
	long page = sysconf(_SC_PAGESIZE);
	for (size_t off = 0; off < BIG; off += page)
		big[off] = (unsigned char)(off / page);
	ok = 1;
	for (size_t off = 0; off < BIG; off += page)
		ok &= big[off] == (unsigned char)(off / page);
	printf("touched %zu pages of the 64 MiB block\n", BIG / page);
	check("every page kept its byte", ok);
	free(big);
	check("free() gave the mapping back", mallinfo2().hblks == before.hblks);

	/* A request no machine can satisfy fails cleanly. */
	errno = 0;
	void *huge = malloc(SIZE_MAX / 2);
	check("malloc(SIZE_MAX / 2) returns NULL with ENOMEM", huge == NULL && errno == ENOMEM);

	printf("%d check(s) failed\n", failures);
	return failures;
}
