/* sendfile: file to file with and without an offset, past the end, into a pipe (what its free
 * slots hold), non-blocking, to the console, and its errors. */
#include "check.h"
#include <signal.h>
#include <sys/sendfile.h>
#include <sys/stat.h>

int main(void)
{
	char buf[100000];
	for (int i = 0; i < (int)sizeof buf; i++)
		buf[i] = 'a' + i % 26;
	int in = open("in", O_CREAT | O_RDWR, 0644);
	write(in, buf, sizeof buf);
	lseek(in, 0, SEEK_SET);
	int out = open("out", O_CREAT | O_RDWR | O_TRUNC, 0644);

	off_t off = 10;
	printf("%-44s %zd\n", "sendfile 26 bytes from offset 10", sendfile(out, in, &off, 26));
	printf("%-44s %ld, in's position %ld, out's %ld\n", "  offset now", (long)off, (long)lseek(in, 0, SEEK_CUR),
	       (long)lseek(out, 0, SEEK_CUR));
	printf("%-44s %zd\n", "sendfile 5 from the position", sendfile(out, in, NULL, 5));
	printf("%-44s %ld\n", "  in's position", (long)lseek(in, 0, SEEK_CUR));
	off = sizeof buf - 7;
	printf("%-44s %zd\n", "sendfile 50 from 7 before the end", sendfile(out, in, &off, 50));
	off = sizeof buf;
	printf("%-44s %zd\n", "sendfile at the end", sendfile(out, in, &off, 50));
	printf("%-44s %zd\n", "sendfile 0 bytes", sendfile(out, in, NULL, 0));
	char got[64] = "";
	pread(out, got, 38, 0);
	printf("out: %.38s\n", got);

	/* Into a pipe: what the free slots hold, then EAGAIN or the rest. */
	int p[2];
	pipe(p);
	off = 0;
	printf("%-44s %zd\n", "sendfile 100000 into an empty pipe", sendfile(p[1], in, &off, sizeof buf));
	fcntl(p[1], F_SETFL, O_NONBLOCK);
	TRY("sendfile into a full non-blocking pipe", sendfile(p[1], in, &off, 10));
	read(p[0], got, 10);
	TRY("sendfile with 10 bytes read from it", sendfile(p[1], in, &off, 100));
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	TRY("sendfile into a pipe without reader", sendfile(p[1], in, &off, 10));
	close(p[1]);

	/* To the console. */
	fflush(stdout);
	off = 0;
	printf("\n%-44s %zd\n", "sendfile 26 to stdout", (fflush(stdout), sendfile(1, in, &off, 26)));

	/* Errors. */
	pipe(p);
	write(p[1], "x", 1);
	TRY("from a pipe", sendfile(out, p[0], NULL, 1));
	off = 0;
	TRY("from a pipe at an offset", sendfile(out, p[0], &off, 1));
	off = -1;
	TRY("from offset -1", sendfile(out, in, &off, 1));
	TRY("with a bad offset pointer", sendfile(out, in, (off_t *)16, 1));
	int app = open("out", O_WRONLY | O_APPEND);
	TRY("to an O_APPEND file", sendfile(app, in, NULL, 1));
	int ro = open("out", O_RDONLY);
	TRY("to a read-only descriptor", sendfile(ro, in, NULL, 1));
	int wo = open("in", O_WRONLY);
	TRY("from a write-only descriptor", sendfile(out, wo, NULL, 1));
	TRY("from a closed descriptor", sendfile(out, 99, NULL, 1));
	TRY("to a closed descriptor", sendfile(99, in, NULL, 1));
	TRY("from a directory", sendfile(out, open(".", O_RDONLY), NULL, 1));
	TRY("with a count of -1", sendfile(out, in, NULL, (size_t)-1));
	return 0;
}
