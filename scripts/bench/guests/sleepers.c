/*
 * sleepers: many tasks asleep at once, for the host memory each guest task costs in
 * `npm run bench` (scripts/bench/mm.ts).
 *
 *   sleepers N    forks N children that each report ready on one pipe and then sleep in
 *                 read() on another; once all N are asleep, wakes them (EOF) and reaps them
 *
 * The bench reads the host's memory figures at the two getppid() calls (glibc never makes that
 * call on its own): before the first fork, and when all N children are asleep.
 * Exit status: 0 when every child was created, ran and exited with 0, 1 otherwise.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	int ready[2], go[2];
	long n = argc == 2 ? atol(argv[1]) : -1;
	char c;

	if (n < 0) {
		fprintf(stderr, "usage: sleepers N\n");
		return 2;
	}
	if (pipe(ready) != 0 || pipe(go) != 0) {
		perror("pipe");
		return 1;
	}
	getppid();
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			close(go[1]);
			/* Ready, then asleep until the parent closes its end of `go`. */
			if (write(ready[1], "r", 1) != 1 || read(go[0], &c, 1) != 0)
				_exit(1);
			_exit(0);
		}
	}
	for (long i = 0; i < n; i++)
		if (read(ready[0], &c, 1) != 1) {
			perror("read");
			return 1;
		}
	getppid();
	close(go[1]);
	int ok = 1, status;
	for (long i = 0; i < n; i++)
		if (wait(&status) < 0 || status != 0)
			ok = 0;
	return ok ? 0 : 1;
}
