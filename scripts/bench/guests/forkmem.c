/*
 * forkmem: page faults and fork of a process with much memory, for `npm run bench`
 * (scripts/bench/mm.ts).
 *
 *   forkmem MIB FORKS    writes one byte in every page of MIB fresh MiB (one page fault
 *                        each), then FORKS times: fork, the child _exits, the parent waits
 *
 * It prints what it measured with CLOCK_MONOTONIC, which is host time under qemu-riscv64:
 *   touch_ns=… faults=…   the writing loop, and the minor faults getrusage counted in it
 *   fork_ns=…             the median time fork() took in the parent
 * Under forkscope the clock is virtual (instructions retired), so the bench times the same
 * phases with the host's clock from the kernel's syscall trace instead: the writing loop is
 * bracketed by getppid(), which glibc never calls on its own, and fork is the clone syscall.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

static int by_value(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc != 3) {
		fprintf(stderr, "usage: forkmem MIB FORKS\n");
		return 2;
	}
	size_t size = (size_t)atol(argv[1]) << 20;
	long forks = atol(argv[2]);
	long page = sysconf(_SC_PAGESIZE);
	volatile char *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	long *took = calloc(forks > 0 ? forks : 1, sizeof *took);

	if (mem == MAP_FAILED || took == NULL) {
		perror("forkmem");
		return 1;
	}

	long faults = minflt(), start = now_ns();
	getppid();
	for (size_t off = 0; off < size; off += page)
		mem[off] = 1;
	getppid();
	long touch = now_ns() - start;
	printf("touch_ns=%ld faults=%ld\n", touch, minflt() - faults);

	for (long i = 0; i < forks; i++) {
		int status;
		long t0 = now_ns();
		pid_t pid = fork();
		if (pid == 0)
			_exit(0);
		took[i] = now_ns() - t0;
		if (pid < 0 || waitpid(pid, &status, 0) != pid || status != 0) {
			perror("fork");
			return 1;
		}
	}
	if (forks > 0) {
		qsort(took, forks, sizeof *took, by_value);
		printf("fork_ns=%ld\n", took[forks / 2]);
	}
	return 0;
}
