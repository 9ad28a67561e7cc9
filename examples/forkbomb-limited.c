/*
 * forkbomb-limited: fork until the kernel says no.
 *
 * RLIMIT_NPROC bounds how many processes (tasks) one user may have. When the
 * user is at the limit, fork(2) fails with EAGAIN (copy_process checks it).
 * The limit does not apply to root, so a process running as root first
 * becomes the unprivileged user "nobody" (uid 65534). As a safety net the
 * loop also stops after 64 children, so this program can never run away.
 *
 * Each child blocks reading a pipe; when the parent closes the write end,
 * all of them see end of file and exit, and the parent reaps them.
 *
 * Exit status: 0 when fork failed with EAGAIN, 1 otherwise.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define LIMIT 8
#define SAFETY_NET 64

int main(void)
{
	if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) {
		perror("dropping root privileges");
		return 1;
	}

	struct rlimit limit = { LIMIT, LIMIT };
	setrlimit(RLIMIT_NPROC, &limit);
	printf("RLIMIT_NPROC set to %d processes for this user\n", LIMIT);

	int gate[2];
	pipe(gate);
	int children = 0, fork_errno = 0;
	fflush(stdout);
	while (children < SAFETY_NET) {
		pid_t child = fork();
		if (child == -1) {
			fork_errno = errno;
			break;
		}
		if (child == 0) {
			char c;
			close(gate[1]);
			read(gate[0], &c, 1); /* returns 0 once the parent closes its end */
			_exit(0);
		}
		children++;
	}

	if (fork_errno == EAGAIN)
		printf("fork failed with EAGAIN (%s) before the safety net\n", strerror(fork_errno));
	else
		printf("fork did not fail with EAGAIN within %d children\n", SAFETY_NET);
	printf("children created: fewer than the limit: %s\n", children < LIMIT ? "yes" : "no");

	close(gate[1]);
	int reaped = 0;
	while (wait(NULL) > 0)
		reaped++;
	printf("all children reaped: %s\n", reaped == children ? "yes" : "no");
	return fork_errno == EAGAIN ? 0 : 1;
}
