/*
 * fork-wait: one call, two returns.
 *
 * fork(2) returns twice: 0 in the new child, the child's pid in the parent.
 * The child is a copy of the parent (same code, same variables, same open
 * files) that runs on its own; the parent collects its exit status with
 * wait(2). Output is buffered by the C library, so it is flushed before each
 * fork: otherwise the child would inherit, and print again, the unflushed
 * lines of its parent.
 *
 * Exit status: 0 when every fact holds, 1 otherwise.
 */
#define _GNU_SOURCE /* for strerrorname_np */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wait-status.h"

static int by_value(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

int main(void)
{
	pid_t parent = getpid();
	int ok = 1;

	/* One child at a time: the parent waits before going on, so the
	 * output order is fixed. */
	printf("parent: forking one child\n");
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		printf("child: fork() returned 0 here\n");
		printf("child: my parent is the process that forked me: %s\n",
		       getppid() == parent ? "yes" : "no");
		printf("child: my pid differs from my parent's: %s\n", getpid() != parent ? "yes" : "no");
		exit(42); /* exit() flushes stdout; the parent reads 42 */
	}
	int status;
	pid_t waited = waitpid(child, &status, 0);
	printf("parent: fork() returned the child's pid: %s\n", waited == child ? "yes" : "no");
	print_wait_status("parent: child", status);
	ok &= WIFEXITED(status) && WEXITSTATUS(status) == 42;

	/* Three children at once. They finish in any order, so collect the
	 * statuses and print them sorted. */
	fflush(stdout);
	for (int i = 1; i <= 3; i++)
		if (fork() == 0)
			_exit(i * 10); /* _exit: no stdio cleanup in a child that printed nothing */
	int codes[3];
	for (int i = 0; i < 3; i++) {
		wait(&status);
		codes[i] = WEXITSTATUS(status);
	}
	qsort(codes, 3, sizeof codes[0], by_value);
	printf("parent: three children exited with %d, %d and %d\n", codes[0], codes[1], codes[2]);
	ok &= codes[0] == 10 && codes[1] == 20 && codes[2] == 30;

	/* WNOHANG: ask without blocking. The child is blocked reading a pipe
	 * nobody writes yet, so it cannot have exited. */
	int gate[2];
	pipe(gate);
	fflush(stdout);
	child = fork();
	if (child == 0) {
		char c;
		close(gate[1]);
		_exit(read(gate[0], &c, 1) == 0 ? 7 : 1); /* 0 bytes: end of file */
	}
	close(gate[0]);
	printf("parent: waitpid(WNOHANG) on a running child returns 0: %s\n",
	       waitpid(child, &status, WNOHANG) == 0 ? "yes" : "no");
	close(gate[1]); /* the child's read now returns end of file */
	waitpid(child, &status, 0);
	print_wait_status("parent: that child", status);
	ok &= WIFEXITED(status) && WEXITSTATUS(status) == 7;

	/* No children left. */
	errno = 0;
	printf("parent: wait() with no children left: %s\n",
	       wait(&status) == -1 ? strerrorname_np(errno) : "returned a child");
	return ok ? 0 : 1;
}
