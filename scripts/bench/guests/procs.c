/*
 * procs: the process-creation loop of `npm run bench` (scripts/bench/process.ts).
 *
 *   procs fork N             N times: fork, the child _exits, the parent waits for it
 *   procs exec N PROG ARG... N times: fork, the child execs PROG ARG..., the parent waits
 *   procs true               exits at once (what the exec loop runs)
 *
 * The bench times the whole program with N and with 0 and divides the difference by N, the
 * same way under forkscope and under qemu-riscv64, so start-up costs cancel out.
 * Exit status: 0 when every child exited with 0, 1 otherwise, 2 on bad arguments.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int reap(pid_t pid)
{
	int status;

	if (pid < 0) {
		perror("fork");
		return 0;
	}
	if (waitpid(pid, &status, 0) != pid) {
		perror("waitpid");
		return 0;
	}
	return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && strcmp(argv[1], "true") == 0)
		return 0;
	if (argc < 3 || (strcmp(argv[1], "fork") != 0 && strcmp(argv[1], "exec") != 0)) {
		fprintf(stderr, "usage: procs fork N | procs exec N PROG [ARG...] | procs true\n");
		return 2;
	}
	long n = atol(argv[2]);
	int exec = strcmp(argv[1], "exec") == 0;

	if (exec && argc < 4) {
		fprintf(stderr, "procs exec: no program to run\n");
		return 2;
	}
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid == 0) {
			if (exec) {
				execv(argv[3], argv + 3);
				perror(argv[3]);
				_exit(127);
			}
			_exit(0);
		}
		if (!reap(pid))
			return 1;
	}
	return 0;
}
