/*
 * execve: the errors before the point of no return, and what survives an exec — descriptors
 * without close-on-exec, ignored signals, the blocked mask, pending signals — and what does not.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static void handler(int s) { (void)s; }

static const char *try_exec(const char *path, char **argv, char **envp)
{
	execve(path, argv, envp);
	return strerrorname_np(errno);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "after") == 0) {
		char name[16] = "";
		prctl(PR_GET_NAME, name);
		printf("after exec: comm is the file's name: %s\n", strcmp(name, "proc_exec") == 0 ? "yes" : name);
		printf("after exec: fd 5 (no close-on-exec) is open: %s\n", fcntl(5, F_GETFD) != -1 ? "yes" : "no");
		printf("after exec: fd 6 (close-on-exec) is closed: %s\n", fcntl(6, F_GETFD) == -1 ? "yes" : "no");
		struct sigaction sa;
		sigaction(SIGUSR1, NULL, &sa);
		printf("after exec: a caught signal is back to default: %s\n", sa.sa_handler == SIG_DFL ? "yes" : "no");
		sigaction(SIGUSR2, NULL, &sa);
		printf("after exec: an ignored signal stays ignored: %s\n", sa.sa_handler == SIG_IGN ? "yes" : "no");
		sigset_t set;
		sigprocmask(SIG_BLOCK, NULL, &set);
		printf("after exec: the blocked mask survives: %s\n", sigismember(&set, SIGTERM) ? "yes" : "no");
		sigpending(&set);
		printf("after exec: a pending signal survives: %s\n", sigismember(&set, SIGTERM) ? "yes" : "no");
		return 0;
	}
	char *args[] = { argv[0], NULL };
	char *env[] = { NULL };
	printf("a missing file: %s\n", try_exec("./no-such-file", args, env));
	printf("a directory: %s\n", try_exec(".", args, env));
	int fd = open("text", O_CREAT | O_WRONLY | O_TRUNC, 0644);
	write(fd, "plain text\n", 11);
	close(fd);
	printf("not executable: %s\n", try_exec("./text", args, env));
	chmod("text", 0755);
	printf("executable but no format: %s\n", try_exec("./text", args, env));
	fd = open("loop", O_CREAT | O_WRONLY | O_TRUNC, 0755);
	write(fd, "#!./loop\n", 9);
	close(fd);
	printf("a script that is its own interpreter: %s\n", try_exec("./loop", args, env));
	printf("argv pointing nowhere: %s\n", try_exec(argv[0], (char **)8, env));
	/* More argument bytes than a quarter of the stack limit. */
	size_t n = 40000;
	char **many = calloc(n + 2, sizeof *many);
	char *big = malloc(4096);
	memset(big, 'x', 4095);
	big[4095] = 0;
	many[0] = argv[0];
	for (size_t i = 1; i <= n; i++)
		many[i] = big;
	printf("too many argument bytes: %s\n", try_exec(argv[0], many, env));
	unlink("text");
	unlink("loop");

	/* What crosses the exec. */
	dup2(1, 5);
	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	dup3(fd, 6, O_CLOEXEC);
	signal(SIGUSR1, handler);
	signal(SIGUSR2, SIG_IGN);
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, NULL);
	kill(getpid(), SIGTERM);
	fflush(stdout);
	char *again[] = { argv[0], "after", NULL };
	execve(argv[0], again, env);
	perror("execve");
	return 1;
}
