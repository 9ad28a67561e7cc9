/* Shared by the file-system test guests: print one fact per line, never pids or addresses. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>

/* The errno name of a failed call, or the result of a successful one. */
#define TRY(label, expr)                                                         \
	do {                                                                     \
		errno = 0;                                                       \
		long r_ = (long)(expr);                                          \
		if (r_ < 0)                                                      \
			printf("%-44s %s\n", label, strerrorname_np(errno));    \
		else                                                             \
			printf("%-44s ok\n", label);                            \
	} while (0)

#define FACT(label, cond) printf("%-44s %s\n", label, (cond) ? "yes" : "no")
