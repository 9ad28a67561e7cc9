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
	strcpy(heap, "written before fork");
	char *shared = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	strcpy(shared, "written before fork");

	show("parent", stack_value, heap, shared);

	/* The child waits on this pipe until the parent has written: both then
	 * write while the pages are still shared between them. */
	int go[2];
	pipe(go);
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		char c;
		read(go[0], &c, 1);
		show("child", stack_value, heap, shared); /* reading copies nothing */
		global = 2;
		stack_value = 20;
		strcpy(heap, "written by the child");
		strcpy(shared, "written by the child");
		show("child", stack_value, heap, shared);
		exit(0);
	}
	global = 3; /* this write gives the parent its own copy of the page */
	stack_value = 30;
	strcpy(heap, "written by the parent");
	strcpy(shared, "written by the parent");
	show("parent", stack_value, heap, shared);
	fflush(stdout);
	write(go[1], "!", 1);

	waitpid(child, NULL, 0);
	show("parent", stack_value, heap, shared);
	int ok = global == 3 && stack_value == 30 && strcmp(heap, "written by the parent") == 0 &&
		 strcmp(shared, "written by the child") == 0;
	printf("private pages were copied, the shared page was not: %s\n", ok ? "yes" : "no");
	return ok ? 0 : 1;
}
