/*
 * A program reading a terminal whose input arrives while it waits. The test types into the
 * terminal (tty_insert_flip_string) each time every task is asleep, stage by stage, and at last
 * hangs it up; what this program saw after the hangup goes to a file, the terminal being gone.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <unistd.h>

static volatile int alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* Whether fd 0 is readable now, by poll and by select, without waiting. */
static void readable(FILE *out, const char *when)
{
	struct pollfd p = { .fd = 0, .events = POLLIN };
	int n = poll(&p, 1, 0);
	fd_set r;
	FD_ZERO(&r);
	FD_SET(0, &r);
	struct timeval tv = { 0, 0 };
	int s = select(1, &r, NULL, NULL, &tv);
	fprintf(out, "%s: poll %d revents %#x, select %d\n", when, n, p.revents, s);
}

static void show_read(FILE *out, const char *what, ssize_t n, const char *buf)
{
	if (n < 0)
		fprintf(out, "%s: -1 %s\n", what, strerrorname_np(errno));
	else
		fprintf(out, "%s: %zd \"%.*s\"\n", what, n, (int)n, buf);
}

int main(void)
{
	char buf[64];
	ssize_t n;
	printf("isatty %d\n", isatty(0));
	readable(stdout, "before input");

	/* Asleep in read: a signal without SA_RESTART ends the read with EINTR. */
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	n = read(0, buf, sizeof buf);
	show_read(stdout, "read, SIGALRM without SA_RESTART", n, buf);
	printf("alarms %d\n", alarms);

	/* With SA_RESTART the read goes on sleeping after the handler, until the test types a line. */
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	alarm(1);
	n = read(0, buf, sizeof buf);
	show_read(stdout, "read, SIGALRM with SA_RESTART", n, buf);
	printf("alarms %d\n", alarms);

	/* poll sleeps until input arrives; a read takes one line of it. */
	struct pollfd p = { .fd = 0, .events = POLLIN };
	int r = poll(&p, 1, -1);
	printf("poll until input: %d revents %#x\n", r, p.revents);
	int queued = -1;
	ioctl(0, FIONREAD, &queued);
	printf("FIONREAD %d\n", queued);
	n = read(0, buf, sizeof buf);
	show_read(stdout, "first read", n, buf);
	n = read(0, buf, sizeof buf);
	show_read(stdout, "second read", n, buf);
	readable(stdout, "all read");
	int flags = fcntl(0, F_GETFL);
	fcntl(0, F_SETFL, flags | O_NONBLOCK);
	n = read(0, buf, sizeof buf);
	show_read(stdout, "read, O_NONBLOCK", n, buf);
	fcntl(0, F_SETFL, flags);

	/* ^D (VEOF) ends a read without being read: alone, it reads as end of file. */
	n = read(0, buf, sizeof buf);
	show_read(stdout, "read up to ^D", n, buf);
	n = read(0, buf, sizeof buf);
	show_read(stdout, "read of a lone ^D", n, buf);

	/* select sleeps until the terminal hangs up. */
	FILE *out = fopen("after-hangup", "w");
	fd_set rd;
	FD_ZERO(&rd);
	FD_SET(0, &rd);
	r = select(1, &rd, NULL, NULL, NULL);
	fprintf(out, "select until hangup: %d, fd 0 %s\n", r, FD_ISSET(0, &rd) ? "readable" : "not readable");
	readable(out, "hung up");
	n = read(0, buf, sizeof buf);
	show_read(out, "read", n, buf);
	n = write(1, "x", 1);
	show_read(out, "write", n, "x");
	fclose(out);
	return 0;
}
