/*
 * crash-abort: abort(3) raises SIGABRT.
 *
 * abort() unblocks SIGABRT and raises it; if a handler returns, it resets the
 * action to the default and raises it again, so the process always dies:
 * "killed by signal 6", exit status 134 in a shell.
 *
 * abort() does not flush stdio buffers: the first line below is flushed by
 * hand and reaches the output, the second one is lost when stdout is a pipe
 * or a file (on a terminal, stdout is line buffered and both appear).
 */
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	printf("calling abort()...\n");
	fflush(stdout);
	printf("this line stays in the buffer and is lost\n");
	abort();
}
