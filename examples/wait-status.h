/*
 * wait-status.h: print what a wait status says, the way a student would
 * decode it by hand with the W* macros from <sys/wait.h>.
 *
 * Shared by the examples that create processes; it prints facts only
 * (how the child ended), never the child's pid.
 */
#ifndef WAIT_STATUS_H
#define WAIT_STATUS_H

#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

static void print_wait_status(const char *who, int status)
{
	if (WIFEXITED(status))
		printf("%s: exited, status %d\n", who, WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("%s: killed by signal %d (%s)\n", who, WTERMSIG(status),
		       strsignal(WTERMSIG(status)));
	else if (WIFSTOPPED(status))
		printf("%s: stopped by signal %d (%s)\n", who, WSTOPSIG(status),
		       strsignal(WSTOPSIG(status)));
	else if (WIFCONTINUED(status))
		printf("%s: continued\n", who);
	else
		printf("%s: unknown wait status %#x\n", who, status);
}

#endif
