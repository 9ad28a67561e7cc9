/*
 * orphan: a process whose parent exits gets a new parent.
 *
 * When a process exits, the kernel (forget_original_parent) hands its
 * children to a "reaper": the nearest ancestor that declared itself a child
 * subreaper with prctl(PR_SET_CHILD_SUBREAPER), or else the init process of
 * its pid namespace (pid 1). The new parent is the one that can wait() for
 * it. Here the top process makes itself a subreaper, so the result does not
 * depend on what runs above it.
 *
 *     top (subreaper) -> middle -> grandchild
 *
 * middle exits first; the grandchild notices that getppid() changed.
 *
 * (qemu-user does not support PR_SET_CHILD_SUBREAPER: compare with a native
 * build.)
 *
 * Exit status: 0 when every fact holds, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wait-status.h"

int main(void)
{
	pid_t top = getpid();
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) != 0) {
		perror("prctl(PR_SET_CHILD_SUBREAPER)");
		return 1;
	}
	printf("top: I am a child subreaper now\n");

	/* The grandchild reports through this pipe, so that its line is printed
	 * by the top process in a fixed order. */
	int report[2];
	pipe(report);
	fflush(stdout);

	pid_t middle = fork();
	if (middle == 0) {
		pid_t middle_pid = getpid();
		pid_t grandchild = fork();
		if (grandchild == 0) {
			/* Poll until middle is gone and we have been re-parented. (Middle
			 * may even be gone already: that is why its pid was taken before
			 * the fork.) */
			while (getppid() == middle_pid)
				usleep(1000);
			char line = getppid() == top ? 'T' : 'X';
			write(report[1], &line, 1);
			_exit(5);
		}
		_exit(3); /* middle leaves its child behind */
	}
	close(report[1]);

	int status;
	waitpid(middle, &status, 0);
	print_wait_status("top: middle", status);

	char line = 0;
	read(report[0], &line, 1);
	printf("top: the orphaned grandchild's new parent is me: %s\n", line == 'T' ? "yes" : "no");

	/* Only a parent can wait for a child: this succeeds because the
	 * grandchild is ours now. */
	pid_t reaped = wait(&status);
	printf("top: wait() returned the grandchild: %s\n", reaped > 0 && reaped != middle ? "yes" : "no");
	print_wait_status("top: grandchild", status);
	return line == 'T' && WIFEXITED(status) && WEXITSTATUS(status) == 5 ? 0 : 1;
}
