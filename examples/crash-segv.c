/*
 * crash-segv: a store to address 0.
 *
 * Nothing is mapped at page 0, so the store faults. The kernel finds no VMA
 * for the address (handle_page_fault -> bad_area) and sends SIGSEGV; its default
 * action kills the process, and the parent's wait status says "killed by
 * signal 11" (a shell shows exit status 128 + 11 = 139).
 */
#include <stdio.h>

int main(void)
{
	/* volatile: a plain null store is undefined, and the compiler could drop it. */
	int *volatile pointer = NULL;

	printf("writing to address 0...\n");
	/* stdout may be a pipe, which the C library buffers: flush it now, or
	 * the line dies with the process. */
	fflush(stdout);
	*pointer = 42;
	printf("not reached\n");
	return 0;
}
