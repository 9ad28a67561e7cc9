/*
 * minish: the smallest shell — read a command line, fork, exec it in the child, wait in the
 * parent. Every operating-systems course writes one; this one is here to be stepped through
 * (fork in the parent, execve in the child, wait4 until the child is a zombie and reaped).
 *
 * It reads commands from its standard input, one per line, words separated by spaces:
 *     ./hello
 *     ./exec-args one two
 *     cd /
 *     exit 3
 * A command that fails or dies is reported as "[exit N]" or "[killed by signal N]". The prompt
 * is printed only when the input is a terminal, as shells do.
 *
 * Exit status: the argument of `exit`, else 0 at the end of input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_WORDS 16

/* Splits `line` in place at spaces and tabs; returns the number of words. */
static int split(char *line, char *words[MAX_WORDS + 1])
{
	int n = 0;
	for (char *w = strtok(line, " \t\n"); w != NULL && n < MAX_WORDS; w = strtok(NULL, " \t\n"))
		words[n++] = w;
	words[n] = NULL;
	return n;
}

static void run(char *words[])
{
	pid_t child = fork();
	if (child < 0) {
		perror("fork");
		return;
	}
	if (child == 0) {
		execv(words[0], words);
		perror(words[0]);
		_exit(127);
	}
	int status;
	if (waitpid(child, &status, 0) < 0) {
		perror("waitpid");
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		printf("[exit %d]\n", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		printf("[killed by signal %d]\n", WTERMSIG(status));
}

int main(void)
{
	char line[256];
	char *words[MAX_WORDS + 1];
	int interactive = isatty(0);

	for (;;) {
		if (interactive) {
			fputs("$ ", stdout);
			fflush(stdout);
		}
		if (fgets(line, sizeof line, stdin) == NULL)
			return 0;
		if (split(line, words) == 0)
			continue;
		if (strcmp(words[0], "exit") == 0)
			return words[1] != NULL ? atoi(words[1]) : 0;
		if (strcmp(words[0], "cd") == 0) {
			if (chdir(words[1] != NULL ? words[1] : "/") < 0)
				perror("cd");
			continue;
		}
		fflush(stdout);
		run(words);
	}
}
