/*
 * oom: running out of memory kills a process.
 *
 * malloc() of a large block only reserves addresses: the kernel hands out a
 * page frame at the first write to each page (a page fault). A child that
 * keeps touching new memory eventually asks for a frame when none is left;
 * the kernel's OOM killer (out_of_memory -> oom_kill_process) then picks the
 * process using the most memory, the child, and kills it with SIGKILL. The
 * parent sees that in the wait status.
 *
 * Run it where memory is bounded: `forkscope run --mem 128M ./oom`, or in a
 * memory-limited cgroup. As a safety net the child gives up after touching
 * 1 GiB, so on a big machine it ends without being killed.
 *
 * Exit status: 0 when the child was killed by SIGKILL, 1 otherwise.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wait-status.h"

#define CHUNK (1UL << 20)
#define LIMIT (1UL << 30)

int main(void)
{
	printf("parent: forking a child that touches memory until it is killed\n");
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		long page = sysconf(_SC_PAGESIZE);
		for (unsigned long total = 0; total < LIMIT; total += CHUNK) {
			char *chunk = malloc(CHUNK);
			if (chunk == NULL) {
				printf("child: malloc failed before the OOM killer came\n");
				exit(2);
			}
			for (unsigned long off = 0; off < CHUNK; off += page)
				chunk[off] = 1; /* this write is what costs a frame */
		}
		printf("child: touched 1 GiB and was not killed\n");
		exit(3);
	}

	int status;
	waitpid(child, &status, 0);
	print_wait_status("parent: child", status);
	printf("parent: WIFSIGNALED = %d, WTERMSIG = %d\n", WIFSIGNALED(status),
	       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL ? 0 : 1;
}
