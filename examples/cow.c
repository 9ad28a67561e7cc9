/*
 * cow: after fork, parent and child each have their own memory.
 *
 * fork(2) does not copy the parent's pages: it copies the page tables and
 * marks every private writable page read-only in both processes. The first
 * write to such a page faults, and the kernel (wp_page_copy) gives the
 * writer a copy of its own: copy-on-write. So a global, a heap buffer and a
 * stack variable written by the child keep their old values in the parent.
 * A MAP_SHARED mapping is different: both processes map the same pages, and
 * the parent sees what the child wrote.
 *
 * Exit status: 0 when every fact holds, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

static int global = 1;

static void show(const char *who, int stack_value, const char *heap, const char *shared)
{
	printf("%-7s global=%d stack=%d heap=\"%s\" shared=\"%s\"\n", who, global, stack_value, heap,
	       shared);
}

int main(void)
{
	int stack_value = 10;
	char *heap = malloc(64);
	strcpy(heap, "written by the parent");
	char *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	strcpy(shared, "written by the parent");

	show("parent", stack_value, heap, shared);
	fflush(stdout);

	pid_t child = fork();
	if (child == 0) {
		show("child", stack_value, heap, shared); /* reading copies nothing */
		global = 2;
		stack_value = 20;
		strcpy(heap, "written by the child");
		strcpy(shared, "written by the child");
		show("child", stack_value, heap, shared);
		exit(0);
	}
	waitpid(child, NULL, 0);
	show("parent", stack_value, heap, shared);
	int ok = global == 1 && stack_value == 10 && strcmp(heap, "written by the parent") == 0 &&
		 strcmp(shared, "written by the child") == 0;

	/* The other way round: the parent writes, a second child looks. */
	global = 3;
	fflush(stdout);
	child = fork();
	if (child == 0) {
		show("child 2", stack_value, heap, shared);
		exit(global == 3 ? 0 : 1);
	}
	int status;
	waitpid(child, &status, 0);
	ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
	printf("private pages were copied, the shared page was not: %s\n", ok ? "yes" : "no");
	return ok ? 0 : 1;
}
