/*
 * vfork-exec: the child borrows the parent's memory until it execs.
 *
 * vfork(2) creates a child that shares the parent's address space (no copy
 * at all, not even of the page tables) and suspends the parent until the
 * child calls execve(2) or _exit(2) (the kernel's wait_for_vfork_done). So a
 * variable the child writes before exec is changed for the parent too.
 * Until then the child may do almost nothing else: it must not return from
 * the function that called vfork, nor call exit(), which would flush and
 * close the parent's stdio.
 *
 * (qemu-user runs vfork as an ordinary fork, so under qemu the parent
 * would still see 1 below: compare with a native build instead.)
 *
 * Exit status: 0 when every fact holds, 1 otherwise.
 */
#define _GNU_SOURCE /* for strerrorname_np */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wait-status.h"

static volatile int shared = 1;
static volatile int exec_errno;

int main(void)
{
	int status, ok = 1;

	printf("parent: shared = %d, calling vfork\n", shared);
	fflush(stdout); /* the child's program writes to the same stdout */
	pid_t child = vfork();
	if (child == 0) {
		shared = 2; /* lands in the parent's memory */
		execl("./hello", "./hello", (char *)NULL);
		_exit(127); /* only reached if execl failed */
	}
	/* We run again only once the child has exec'd: its new program has its
	 * own memory, ours is ours again. */
	waitpid(child, &status, 0);
	print_wait_status("parent: ./hello", status);
	printf("parent: shared = %d after the child's exec\n", shared);
	ok &= shared == 2;

	/* When exec fails, the child can leave the reason in our memory. */
	fflush(stdout);
	child = vfork();
	if (child == 0) {
		execl("./no-such-program", "./no-such-program", (char *)NULL);
		exec_errno = errno;
		_exit(127); /* the shell's code for "command not found" */
	}
	waitpid(child, &status, 0);
	print_wait_status("parent: ./no-such-program", status);
	printf("parent: the child left errno %s for us\n",
	       exec_errno ? strerrorname_np(exec_errno) : "0 (its memory was its own)");
	ok &= WEXITSTATUS(status) == 127 && exec_errno == ENOENT;
	return ok ? 0 : 1;
}
