/*
 * signals: handlers, masks, restarts and default actions.
 *
 * A signal is delivered when the receiving task returns to user mode: the
 * kernel (handle_signal) builds a frame on the user stack and makes the task
 * "call" the handler; the handler's return goes through rt_sigreturn back to
 * where the task was. A blocked signal stays pending until it is unblocked.
 * A slow system call (read on an empty pipe) interrupted by a handler either
 * fails with EINTR or, with SA_RESTART, is restarted by the kernel.
 *
 * Exit status: 0 when every fact holds, 1 otherwise.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wait-status.h"

static volatile sig_atomic_t usr1_count, chld_count, alarm_count;
static int wake_pipe[2];
static int ok = 1;

static void on_usr1(int sig)
{
	(void)sig;
	usr1_count++;
}

static void on_chld(int sig)
{
	(void)sig;
	chld_count++;
}

/* Counts, and writes one byte so that a restarted read has something to return. */
static void on_alarm(int sig)
{
	(void)sig;
	alarm_count++;
	write(wake_pipe[1], "!", 1);
}

static void install(int sig, void (*handler)(int), int flags)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = handler;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void fact(const char *what, int holds)
{
	printf("%-62s %s\n", what, holds ? "yes" : "no");
	ok &= holds;
}

/* Block in read() on an empty pipe until a timer signal arrives 50 ms later.
 * On a very busy machine the timer may fire before read() has even started;
 * the handler's byte is then simply read. Without SA_RESTART that shows (read
 * returns 1 instead of failing), so try again with a longer timer. */
static void interrupted_read(int flags)
{
	char c;
	ssize_t n;
	install(SIGALRM, on_alarm, flags);
	for (long usec = 50000;; usec *= 2) {
		alarm_count = 0;
		struct itimerval timer = { .it_value = { .tv_sec = usec / 1000000, .tv_usec = usec % 1000000 } };
		setitimer(ITIMER_REAL, &timer, NULL);
		errno = 0;
		n = read(wake_pipe[0], &c, 1);
		if (n < 0 || (flags & SA_RESTART) || usec > 5000000)
			break;
	}
	printf("read() during SIGALRM %-13s returned %zd%s%s\n",
	       flags & SA_RESTART ? "(SA_RESTART):" : "(no restart):", n,
	       n < 0 ? ", errno " : "", n < 0 && errno == EINTR ? "EINTR" : "");
	if (n < 0) /* drain the byte the handler wrote */
		read(wake_pipe[0], &c, 1);
	fact("the handler ran once", alarm_count == 1);
}

/* Fork a child that does `action`, and print how it ended. */
static void child_dies(const char *what, void (*action)(void), int expected_signal)
{
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		/* No core files from the children that dump core by default. */
		struct rlimit no_core = { 0, 0 };
		setrlimit(RLIMIT_CORE, &no_core);
		action();
		_exit(0);
	}
	int status;
	waitpid(child, &status, 0);
	print_wait_status(what, status);
	ok &= WIFSIGNALED(status) && WTERMSIG(status) == expected_signal;
}

static void raise_term(void) { raise(SIGTERM); }
static void raise_quit(void) { raise(SIGQUIT); }
static void wait_for_signals(void) { for (;;) pause(); }

int main(void)
{
	/* A handler, called for a signal sent to ourselves. */
	install(SIGUSR1, on_usr1, 0);
	kill(getpid(), SIGUSR1);
	fact("SIGUSR1 sent to ourselves ran the handler before kill() returned", usr1_count == 1);

	/* Blocked: the signal waits in the pending set. */
	sigset_t usr1, pending;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR1); /* standard signals do not queue: still one pending */
	sigpending(&pending);
	fact("blocked SIGUSR1 is pending, the handler has not run",
	     sigismember(&pending, SIGUSR1) && usr1_count == 1);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	fact("unblocking delivered it, once", usr1_count == 2);

	/* Ignored: the kernel discards it (its default action would kill us). */
	signal(SIGUSR2, SIG_IGN);
	raise(SIGUSR2);
	sigpending(&pending);
	fact("an ignored SIGUSR2 was discarded, not left pending", !sigismember(&pending, SIGUSR2));
	signal(SIGUSR2, SIG_DFL);

	/* Interrupted system calls. */
	pipe(wake_pipe);
	interrupted_read(0);
	interrupted_read(SA_RESTART);

	/* Signals to a child, and SIGCHLD back. SA_NOCLDSTOP: no SIGCHLD when
	 * the child stops or continues, only when it dies. SA_RESTART keeps
	 * waitpid() from failing with EINTR when SIGCHLD arrives during it. */
	install(SIGCHLD, on_chld, SA_NOCLDSTOP | SA_RESTART);
	fflush(stdout);
	pid_t child = fork();
	if (child == 0)
		wait_for_signals();
	kill(child, SIGSTOP);
	int status;
	waitpid(child, &status, WUNTRACED);
	print_wait_status("child after SIGSTOP", status);
	kill(child, SIGCONT);
	waitpid(child, &status, WCONTINUED);
	print_wait_status("child after SIGCONT", status);
	kill(child, SIGTERM);
	waitpid(child, &status, 0);
	print_wait_status("child after SIGTERM", status);
	fact("the child's death sent us one SIGCHLD, handled before waitpid returned",
	     chld_count == 1);

	/* Default actions, as a parent sees them through the wait status. */
	signal(SIGCHLD, SIG_DFL);
	child_dies("child that raised SIGTERM", raise_term, SIGTERM);
	child_dies("child that raised SIGQUIT", raise_quit, SIGQUIT);
	return ok ? 0 : 1;
}
