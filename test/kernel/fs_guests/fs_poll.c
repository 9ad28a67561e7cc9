/* poll, ppoll, select, pselect and pause: readiness of pipe ends, timeouts, sleeping until a
 * writer comes, signals (EINTR whatever SA_RESTART says, no EINTR for an ignored signal), the
 * temporary signal masks of ppoll/pselect, the time left written back, select's EBADF. */
#include "check.h"
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t handled;
static void on_signal(int sig) { (void)sig; handled++; }

static void show_revents(const char *label, int r, short revents)
{
	printf("%-44s %d:%s%s%s%s%s\n", label, r, revents & POLLIN ? " IN" : "", revents & POLLOUT ? " OUT" : "",
	       revents & POLLHUP ? " HUP" : "", revents & POLLERR ? " ERR" : "", revents & POLLNVAL ? " NVAL" : "");
}

static int poll1(int fd, short events, int timeout, short *revents)
{
	struct pollfd p = { .fd = fd, .events = events };
	int r = poll(&p, 1, timeout);
	*revents = p.revents;
	return r;
}

/* poll1, then its result and revents printed. */
static void show_poll(const char *label, int fd, short events, int timeout)
{
	short re;
	int r = poll1(fd, events, timeout, &re);
	show_revents(label, r, re);
}

/* In 50 ms of the process's time, SIGALRM. */
static void alarm_soon(void)
{
	struct itimerval it = { .it_value = { .tv_usec = 50000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

static void handle(int sig, int flags)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = flags };
	sigaction(sig, &sa, NULL);
}

int main(void)
{
	int p[2], q[2];
	short re;
	char buf[256];

	/* A pipe's ends. */
	pipe(p);
	show_poll("empty pipe, read end", p[0], POLLIN | POLLOUT, 0);
	show_poll("empty pipe, write end", p[1], POLLIN | POLLOUT, 0);
	write(p[1], "x", 1);
	show_poll("pipe with data, read end", p[0], POLLIN, 0);
	show_poll("asking only for POLLOUT on the read end", p[0], POLLOUT, 0);
	close(p[1]);
	show_poll("data and no writer", p[0], POLLIN, 0);
	read(p[0], buf, 1);
	show_poll("no data and no writer (HUP always asked)", p[0], 0, 0);
	close(p[0]);
	pipe(p);
	close(p[0]);
	show_poll("write end without a reader", p[1], POLLOUT, 0);
	close(p[1]);

	/* A full pipe is not writable. */
	pipe2(p, O_NONBLOCK);
	memset(buf, 'f', sizeof buf);
	while (write(p[1], buf, sizeof buf) > 0)
		;
	show_poll("full pipe, write end", p[1], POLLOUT, 0);
	read(p[0], buf, sizeof buf);
	show_poll("one slot still partly used", p[1], POLLOUT, 0);
	while (read(p[0], buf, sizeof buf) > 0)
		;
	show_poll("drained", p[1], POLLOUT, 0);
	close(p[0]);
	close(p[1]);

	/* Several descriptors, negative and closed ones. */
	pipe(p);
	pipe(q);
	write(q[1], "y", 1);
	struct pollfd set[5] = {
		{ .fd = p[0], .events = POLLIN }, { .fd = -1, .events = POLLIN }, { .fd = 200, .events = POLLIN },
		{ .fd = q[0], .events = POLLIN }, { .fd = p[1], .events = POLLOUT },
	};
	int r = poll(set, 5, 0);
	printf("poll of 5                                    %d\n", r);
	for (int i = 0; i < 5; i++)
		show_revents("  entry", 1, set[i].revents);

	/* Timeouts and sleeping. */
	TRY("poll(empty, 30 ms)", poll1(p[0], POLLIN, 30, &re));
	printf("%-44s %d\n", "  returned", poll1(p[0], POLLIN, 30, &re));
	later(p[1], "late");
	show_poll("poll(-1) until a child writes", p[0], POLLIN, -1);
	wait(NULL);
	read(p[0], buf, sizeof buf);

	/* A signal ends poll with EINTR, even with SA_RESTART; an ignored one does not end it. */
	for (int restart = 0; restart < 2; restart++) {
		handle(SIGALRM, restart ? SA_RESTART : 0);
		handled = 0;
		alarm_soon();
		TRY(restart ? "poll(-1) and SIGALRM, SA_RESTART" : "poll(-1) and SIGALRM", poll1(p[0], POLLIN, -1, &re));
		FACT("  the handler ran", handled == 1);
	}
	signal(SIGALRM, SIG_IGN);
	alarm_soon();
	printf("%-44s %d\n", "poll(100 ms) and an ignored SIGALRM", poll1(p[0], POLLIN, 100, &re));
	signal(SIGCHLD, SIG_DFL);
	if (fork() == 0)
		_exit(0);
	printf("%-44s %d\n", "poll(100 ms) while a child exits", poll1(p[0], POLLIN, 100, &re));
	wait(NULL);

	/* ppoll's mask: SIGUSR1 blocked, pending, let in only while ppoll waits. */
	handle(SIGUSR1, 0);
	sigset_t usr1, none, now;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	handled = 0;
	kill(getpid(), SIGUSR1);
	FACT("SIGUSR1 pending before ppoll", (sigpending(&now), sigismember(&now, SIGUSR1)));
	struct pollfd one = { .fd = p[0], .events = POLLIN };
	TRY("ppoll with SIGUSR1 let in", ppoll(&one, 1, NULL, &none));
	FACT("  the handler ran", handled == 1);
	FACT("  SIGUSR1 blocked again after", (sigprocmask(SIG_BLOCK, NULL, &now), sigismember(&now, SIGUSR1)));
	kill(getpid(), SIGUSR1);
	write(q[1], "z", 1);
	one.fd = q[0];
	TRY("ppoll, ready, SIGUSR1 pending", ppoll(&one, 1, NULL, &none));
	FACT("  the handler did not run (mask back first)", handled == 1);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);
	FACT("  it runs once unblocked", handled == 2);
	read(q[0], buf, sizeof buf);

	/* The time left, written back by the system call itself (glibc's ppoll passes a copy). */
	struct timespec left = { 2, 0 };
	one.fd = p[1];
	one.events = POLLOUT;
	r = syscall(SYS_ppoll, &one, 1, &left, NULL, 8);
	printf("%-44s %d, left between 1.9 and 2 s: %s\n", "ppoll ready at once", r,
	       left.tv_sec == 1 && left.tv_nsec > 900000000 || left.tv_sec == 2 && left.tv_nsec == 0 ? "yes" : "no");
	left = (struct timespec){ 0, 20000000 };
	one.fd = p[0];
	one.events = POLLIN;
	r = syscall(SYS_ppoll, &one, 1, &left, NULL, 8);
	printf("%-44s %d, left %ld.%09ld\n", "ppoll timed out", r, (long)left.tv_sec, left.tv_nsec);
	left = (struct timespec){ 0, 1000000000 };
	TRY("ppoll with tv_nsec 1e9", syscall(SYS_ppoll, &one, 1, &left, NULL, 8));
	left = (struct timespec){ -1, 0 };
	TRY("ppoll with a negative timeout", syscall(SYS_ppoll, &one, 1, &left, NULL, 8));
	TRY("ppoll with sigsetsize 4", syscall(SYS_ppoll, &one, 1, NULL, &none, 4));
	TRY("ppoll with a bad pollfd pointer", syscall(SYS_ppoll, (void *)16, 1, NULL, NULL, 8));
	TRY("ppoll with nfds above RLIMIT_NOFILE", syscall(SYS_ppoll, &one, 1 << 20, NULL, NULL, 8));

	/* select: sets in and out, the timeout left (glibc's select passes it back). */
	fd_set rd, wr;
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(p[0], &rd);
	FD_SET(q[0], &rd);
	FD_SET(p[1], &wr);
	write(q[1], "s", 1);
	struct timeval tv = { 1, 0 };
	r = select(q[1] + 1, &rd, &wr, NULL, &tv);
	printf("%-44s %d: p[0] %d q[0] %d p[1] %d, left over 0.9 s %s\n", "select", r, FD_ISSET(p[0], &rd),
	       FD_ISSET(q[0], &rd), FD_ISSET(p[1], &wr), tv.tv_sec == 1 || tv.tv_usec > 900000 ? "yes" : "no");
	read(q[0], buf, sizeof buf);
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	tv = (struct timeval){ 0, 20000 };
	r = select(p[0] + 1, &rd, NULL, NULL, &tv);
	printf("%-44s %d, p[0] %d, left %ld.%06ld\n", "select timed out", r, FD_ISSET(p[0], &rd), (long)tv.tv_sec, (long)tv.tv_usec);
	FD_ZERO(&rd);
	FD_SET(40, &rd);
	tv = (struct timeval){ 0, 0 };
	TRY("select with a closed descriptor set", select(41, &rd, NULL, NULL, &tv));
	FD_ZERO(&rd);
	FD_SET(1000, &rd);
	TRY("select of fd 1000, past the descriptor table", select(1001, &rd, NULL, NULL, &tv));
	TRY("select with n < 0", select(-1, NULL, NULL, NULL, &tv));
	tv = (struct timeval){ 0, 1000000 };
	TRY("select with tv_usec 1e6", select(1, NULL, NULL, NULL, &tv));
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	handle(SIGALRM, SA_RESTART);
	handled = 0;
	alarm_soon();
	r = select(p[0] + 1, &rd, NULL, NULL, NULL);
	printf("%-44s %d %s, set kept %d, handler ran %s\n", "select and SIGALRM, SA_RESTART", r, strerrorname_np(errno),
	       FD_ISSET(p[0], &rd), handled ? "yes" : "no");

	/* pselect's mask, as ppoll's. */
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	handled = 0;
	kill(getpid(), SIGUSR1);
	struct timespec ts = { 5, 0 };
	TRY("pselect with SIGUSR1 let in", pselect(p[0] + 1, &rd, NULL, NULL, &ts, &none));
	FACT("  the handler ran", handled == 1);
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);

	/* pause: sleeps until a handler runs. */
	handled = 0;
	handle(SIGALRM, 0);
	alarm_soon();
	TRY("pause", pause());
	FACT("  the handler ran", handled == 1);
	return 0;
}
