/*
 * pipe: a one-way channel between processes.
 *
 * pipe(2) gives two descriptors: bytes written to fds[1] are read from
 * fds[0], in order. A fork copies both descriptors, so each side closes the
 * end it does not use. A reader gets end of file (read returns 0) once every
 * write end is closed; a writer whose readers are all gone gets SIGPIPE,
 * whose default action kills it, or the error EPIPE when it ignores SIGPIPE.
 *
 * Exit status: 0 when every fact holds, 1 otherwise.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "wait-status.h"

int main(void)
{
	int ok = 1, status;

	/* Parent -> child -> parent: the child shouts back what it reads. */
	int down[2], up[2];
	pipe(down);
	pipe(up);
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		close(down[1]);
		close(up[0]);
		char c;
		/* Until end of file: the parent closes its write end when done. */
		while (read(down[0], &c, 1) == 1) {
			c = (char)toupper((unsigned char)c);
			write(up[1], &c, 1);
		}
		_exit(0);
	}
	close(down[0]);
	close(up[1]);
	const char message[] = "hello through a pipe";
	write(down[1], message, strlen(message));
	close(down[1]); /* the child's read() will now return 0 */

	char reply[64];
	size_t got = 0;
	ssize_t n;
	while ((n = read(up[0], reply + got, sizeof reply - 1 - got)) > 0)
		got += (size_t)n;
	reply[got] = '\0';
	printf("sent \"%s\", got back \"%s\"\n", message, reply);
	printf("read() returned 0 (end of file) after the child exited: %s\n", n == 0 ? "yes" : "no");
	close(up[0]);
	waitpid(child, &status, 0);
	print_wait_status("echo child", status);
	ok &= strcmp(reply, "HELLO THROUGH A PIPE") == 0;

	/* How much a pipe holds: fill it without blocking until EAGAIN. */
	int fds[2];
	pipe(fds);
	fcntl(fds[1], F_SETFL, O_NONBLOCK);
	char block[4096] = {0};
	long capacity = 0;
	while ((n = write(fds[1], block, sizeof block)) > 0)
		capacity += n;
	printf("a pipe holds %ld bytes; one more write fails with %s\n", capacity,
	       errno == EAGAIN ? "EAGAIN" : strerror(errno));
	close(fds[0]);
	close(fds[1]);

	/* Writing with no reader left: SIGPIPE kills the writer. The read end is closed before the
	 * fork, so that no process holds it whatever order parent and child then run in. */
	pipe(fds);
	close(fds[0]);
	fflush(stdout);
	child = fork();
	if (child == 0) {
		write(fds[1], "x", 1);
		_exit(0); /* not reached */
	}
	close(fds[1]);
	waitpid(child, &status, 0);
	print_wait_status("writer without readers", status);
	ok &= WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE;

	/* The same with SIGPIPE ignored: write() fails with EPIPE instead. */
	signal(SIGPIPE, SIG_IGN);
	pipe(fds);
	close(fds[0]);
	errno = 0;
	n = write(fds[1], "x", 1);
	printf("with SIGPIPE ignored, write() returns %zd with %s\n", n, errno == EPIPE ? "EPIPE" : "?");
	ok &= n == -1 && errno == EPIPE;
	return ok ? 0 : 1;
}
