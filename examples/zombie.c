/*
 * zombie: a child that has exited but has not been waited for.
 *
 * When a process exits, the kernel frees its memory and files but keeps its
 * task_struct (state EXIT_ZOMBIE, shown as 'Z' in /proc) until the parent
 * collects the exit status with wait(2). Until then the pid stays taken:
 * kill(pid, 0) still finds the process. After the wait it is gone.
 *
 * Exit status: 0 when every fact holds, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wait-status.h"

/* The state letter from /proc/PID/stat: the field after the ")" that ends
 * the command name. */
static char process_state(pid_t pid)
{
	char path[64], line[512];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return '-';
	char *got = fgets(line, sizeof line, f);
	fclose(f);
	char *end = got ? strrchr(line, ')') : NULL;
	return end && end[1] == ' ' ? end[2] : '?';
}

int main(void)
{
	int ok = 1;
	fflush(stdout);
	pid_t child = fork();
	if (child == 0)
		_exit(7);

	/* Give the child time to exit: a second is plenty, except on a very busy
	 * machine, so look again for a while if needed. */
	char state = '?';
	for (int tries = 0; tries < 10 && state != 'Z'; tries++) {
		sleep(1);
		state = process_state(child);
	}
	printf("child exited, not yet waited for: state '%c'\n", state);
	printf("kill(child, 0) still finds it: %s\n", kill(child, 0) == 0 ? "yes" : "no");
	ok &= state == 'Z';

	int status;
	pid_t reaped = waitpid(child, &status, 0);
	printf("waitpid returned the child: %s\n", reaped == child ? "yes" : "no");
	print_wait_status("child", status);
	ok &= WIFEXITED(status) && WEXITSTATUS(status) == 7;

	state = process_state(child);
	printf("after the wait, /proc has no entry for it: %s\n", state == '-' ? "yes" : "no");
	errno = 0;
	printf("kill(child, 0) now fails with ESRCH: %s\n",
	       kill(child, 0) == -1 && errno == ESRCH ? "yes" : "no");
	ok &= state == '-';
	return ok ? 0 : 1;
}
