/* Pipes between processes: blocking, end of file, EPIPE and SIGPIPE, O_NONBLOCK, capacity,
 * PIPE_BUF atomicity, FIONREAD, descriptor inheritance and close-on-exec. */
#include "check.h"
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got_sigpipe;
static void on_sigpipe(int sig) { (void)sig; got_sigpipe = 1; }

static void wait_child(const char *what)
{
	int status;
	wait(&status);
	if (WIFSIGNALED(status))
		printf("%-44s killed by %s\n", what, sigabbrev_np(WTERMSIG(status)));
	else
		printf("%-44s exit %d\n", what, WEXITSTATUS(status));
}

int main(int argc, char **argv)
{
	char buf[8192];
	int p[2], q[2];

	if (argc > 1) {
		/* After exec: which inherited descriptors are still open? */
		printf("after exec, fd %s is %s\n", argv[1], fcntl(atoi(argv[1]), F_GETFD) < 0 ? "closed" : "open");
		return 0;
	}

	/* A reader blocks until the writer writes; it gets what was written. */
	pipe(p);
	pipe(q);
	if (fork() == 0) {
		close(p[1]);
		char c;
		read(q[0], &c, 1); /* wait until the parent is reading */
		ssize_t n = read(p[0], buf, sizeof buf);
		printf("child read %zd bytes: %.*s\n", n, (int)n, buf);
		n = read(p[0], buf, sizeof buf);
		printf("child read %zd after the writers closed (end of file)\n", n);
		_exit(0);
	}
	close(p[0]);
	write(q[1], "g", 1);
	write(p[1], "hello pipe", 10);
	close(p[1]);
	wait_child("reader");
	close(q[0]);
	close(q[1]);

	/* EOF needs every writer gone: a child's copy of the write end keeps the pipe open. */
	pipe(p);
	pipe(q);
	if (fork() == 0) {
		char c;
		close(p[0]);
		read(q[0], &c, 1);
		write(p[1], "late", 4);
		_exit(0);
	}
	close(p[1]);
	write(q[1], "g", 1);
	ssize_t n = read(p[0], buf, sizeof buf);
	printf("read with a child holding the write end: %zd\n", n);
	wait_child("writer");
	FACT("read after the last writer exited is 0", read(p[0], buf, sizeof buf) == 0);
	close(p[0]);

	/* Writing with no reader: SIGPIPE (default: death), or EPIPE when it is ignored/caught. */
	pipe(p);
	close(p[0]);
	if (fork() == 0) {
		write(p[1], "x", 1);
		_exit(0);
	}
	wait_child("writer to a closed pipe");
	signal(SIGPIPE, on_sigpipe);
	TRY("write with SIGPIPE caught", write(p[1], "x", 1));
	FACT("the handler ran", got_sigpipe);
	signal(SIGPIPE, SIG_IGN);
	TRY("write with SIGPIPE ignored", write(p[1], "x", 1));
	close(p[1]);

	/* O_NONBLOCK, capacity, F_GETFL, FIONREAD, F_SETPIPE_SZ. */
	pipe2(p, O_NONBLOCK);
	printf("F_GETFL                                      0x%x 0x%x\n", fcntl(p[0], F_GETFL), fcntl(p[1], F_GETFL));
	TRY("read an empty non-blocking pipe", read(p[0], buf, 1));
	printf("F_GETPIPE_SZ                                 %d\n", fcntl(p[0], F_GETPIPE_SZ));
	long total = 0;
	memset(buf, 'z', sizeof buf);
	for (;;) {
		ssize_t w = write(p[1], buf, 1000);
		if (w < 0)
			break;
		total += w;
	}
	printf("bytes a pipe holds                           %ld (then %s)\n", total, strerrorname_np(errno));
	int avail = -1;
	ioctl(p[0], FIONREAD, &avail);
	printf("FIONREAD                                     %d\n", avail);
	TRY("write PIPE_BUF with 536 bytes free", (read(p[0], buf, 3560), write(p[1], buf, PIPE_BUF)));
	TRY("write PIPE_BUF+1 with 3560 bytes free", write(p[1], buf, PIPE_BUF + 1));
	TRY("F_SETPIPE_SZ below the contents", fcntl(p[1], F_SETPIPE_SZ, 4096));
	while (read(p[0], buf, sizeof buf) > 0)
		;
	printf("F_SETPIPE_SZ 5000                            %d\n", fcntl(p[1], F_SETPIPE_SZ, 5000));
	printf("F_GETPIPE_SZ                                 %d\n", fcntl(p[0], F_GETPIPE_SZ));
	fcntl(p[0], F_SETFL, 0);
	printf("F_GETFL after F_SETFL 0                      0x%x\n", fcntl(p[0], F_GETFL));
	close(p[0]);
	close(p[1]);

	/* PIPE_BUF atomicity: two writers of 4096-byte blocks never interleave inside a block. */
	pipe(p);
	for (int w = 0; w < 2; w++) {
		if (fork() == 0) {
			close(p[0]);
			char block[PIPE_BUF];
			memset(block, w ? 'B' : 'A', sizeof block);
			for (int i = 0; i < 64; i++)
				write(p[1], block, sizeof block);
			_exit(0);
		}
	}
	close(p[1]);
	int blocks = 0, mixed = 0, partial = 0;
	for (;;) {
		size_t got = 0;
		while (got < PIPE_BUF) {
			ssize_t r = read(p[0], buf + got, PIPE_BUF - got);
			if (r <= 0)
				break;
			got += r;
		}
		if (got == 0)
			break;
		if (got != PIPE_BUF)
			partial++;
		for (size_t i = 1; i < got; i++)
			if (buf[i] != buf[0]) {
				mixed++;
				break;
			}
		blocks++;
	}
	printf("blocks %d, mixed %d, partial %d\n", blocks, mixed, partial);
	wait_child("block writer");
	wait_child("block writer");
	close(p[0]);

	/* A signal ends a blocked read: EINTR, or the read goes on with SA_RESTART. */
	for (int restart = 0; restart < 2; restart++) {
		struct sigaction sa = { .sa_handler = on_sigpipe, .sa_flags = restart ? SA_RESTART : 0 };
		sigaction(SIGUSR1, &sa, NULL);
		pipe(p);
		pid_t parent = getpid();
		if (fork() == 0) {
			/* Signal the parent once it sleeps in read; with SA_RESTART, write once it sleeps there
			 * again (it has switched out voluntarily once more), so no data can beat the signal. */
			long switches;
			sleeping(parent, -1, &switches);
			kill(parent, SIGUSR1);
			if (restart) {
				sleeping(parent, switches, &switches);
				write(p[1], "after", 5);
			}
			_exit(0);
		}
		got_sigpipe = 0;
		errno = 0;
		n = read(p[0], buf, sizeof buf);
		printf("read interrupted %s SA_RESTART: %zd %s, handler ran %s\n", restart ? "with" : "without", n,
		       n < 0 ? strerrorname_np(errno) : "", got_sigpipe ? "yes" : "no");
		wait_child("signaller");
		close(p[0]);
		close(p[1]);
	}

	/* Descriptors survive fork and exec unless marked close-on-exec. */
	pipe2(p, O_CLOEXEC);
	pipe(q);
	char arg[16];
	if (fork() == 0) {
		snprintf(arg, sizeof arg, "%d", p[0]);
		execl("/proc/self/exe", argv[0], arg, (char *)NULL);
		_exit(127);
	}
	wait_child("exec with an O_CLOEXEC fd");
	if (fork() == 0) {
		snprintf(arg, sizeof arg, "%d", q[0]);
		execl("/proc/self/exe", argv[0], arg, (char *)NULL);
		_exit(127);
	}
	wait_child("exec with a plain fd");
	return 0;
}
