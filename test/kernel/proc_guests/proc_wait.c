/*
 * Waiting for children: wait4 and waitid with their options, zombies that linger or are reaped
 * at once, parent-death signals, process groups and sessions, kill's errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *e(void) { return strerrorname_np(errno); }

static void nap(int ms)
{
	struct timespec ts = { 0, ms * 1000000L };
	nanosleep(&ts, NULL);
}

int main(void)
{
	int status;
	siginfo_t si;
	printf("wait with no children: %s\n", wait(&status) == -1 ? e() : "?");

	fflush(stdout);
	pid_t c = fork();
	if (c == 0)
		_exit(3);
	memset(&si, 0, sizeof si);
	waitid(P_PID, c, &si, WEXITED | WNOWAIT);
	printf("WNOWAIT: code %s, status %d\n", si.si_code == CLD_EXITED ? "CLD_EXITED" : "?", si.si_status);
	printf("after WNOWAIT it can still be waited for: %s\n", waitpid(c, &status, 0) == c && WEXITSTATUS(status) == 3 ? "yes" : "no");

	fflush(stdout);
	c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	printf("WNOHANG on a running child: %d\n", waitpid(c, &status, WNOHANG));
	kill(c, SIGSTOP);
	waitpid(c, &status, WUNTRACED);
	printf("WUNTRACED: stopped by %s\n", WIFSTOPPED(status) ? strsignal(WSTOPSIG(status)) : "?");
	kill(c, SIGCONT);
	waitpid(c, &status, WCONTINUED);
	printf("WCONTINUED: %s\n", WIFCONTINUED(status) ? "continued" : "?");
	kill(c, SIGKILL);
	struct rusage ru;
	wait4(c, &status, 0, &ru);
	printf("killed: %s\n", WIFSIGNALED(status) ? strsignal(WTERMSIG(status)) : "?");

	/* A child whose parent ignores SIGCHLD is reaped at once: wait finds nothing. */
	signal(SIGCHLD, SIG_IGN);
	fflush(stdout);
	c = fork();
	if (c == 0)
		_exit(0);
	printf("with SIGCHLD ignored, wait: %s\n", waitpid(c, &status, 0) == -1 ? e() : "found a zombie");
	signal(SIGCHLD, SIG_DFL);
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = SA_NOCLDWAIT;
	sigaction(SIGCHLD, &sa, NULL);
	fflush(stdout);
	c = fork();
	if (c == 0)
		_exit(0);
	printf("with SA_NOCLDWAIT, wait: %s\n", waitpid(c, &status, 0) == -1 ? e() : "found a zombie");
	sa.sa_flags = 0;
	sigaction(SIGCHLD, &sa, NULL);

	/* Parent-death signal: the grandchild asks for SIGUSR1 when its parent (the child) dies. */
	int pipefd[2];
	pipe(pipefd);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		pid_t g = fork();
		if (g == 0) {
			sigset_t s;
			sigemptyset(&s);
			sigaddset(&s, SIGUSR1);
			sigprocmask(SIG_BLOCK, &s, NULL);
			prctl(PR_SET_PDEATHSIG, SIGUSR1);
			write(pipefd[1], "r", 1);
			int sig = 0;
			sigwait(&s, &sig);
			char msg = sig == SIGUSR1 ? 'y' : 'n';
			write(pipefd[1], &msg, 1);
			_exit(0);
		}
		char b;
		read(pipefd[0], &b, 1);
		_exit(0);
	}
	waitpid(c, &status, 0);
	/* The child consumed the grandchild's "ready" byte; what is left is its verdict. */
	char got[2] = { 0 };
	read(pipefd[0], got, 1);
	printf("the grandchild got its parent-death signal: %s\n", got[0] == 'y' ? "yes" : "no");

	/* Process groups and sessions. */
	fflush(stdout);
	c = fork();
	if (c == 0) {
		printf("child: setsid makes a new session it leads: %s\n", setsid() == getpid() && getsid(0) == getpid() ? "yes" : "no");
		printf("child: setsid again: %s\n", setsid() == -1 ? e() : "ok");
		fflush(stdout);
		_exit(0);
	}
	waitpid(c, &status, 0);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		nap(50);
		_exit(0);
	}
	int r = setpgid(c, c);
	printf("setpgid of our child: %s, its group is its pid: %s\n", r == 0 ? "ok" : e(), getpgid(c) == c ? "yes" : "no");
	printf("wait for our process group (not its): %s\n", waitpid(0, &status, WNOHANG) == 0 ? "none ready" : e());
	printf("wait for its group: %s\n", waitpid(-c, &status, 0) == c ? "reaped" : e());
	printf("kill of a pid nobody has: %s\n", kill(999999, SIGTERM) == -1 ? e() : "ok");
	printf("kill with a bad signal: %s\n", kill(getpid(), 1000) == -1 ? e() : "ok");
	printf("waitid with no event asked for: %s\n", waitid(P_ALL, 0, &si, 0) == -1 ? e() : "ok");
	return 0;
}
