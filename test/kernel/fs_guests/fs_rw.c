/* Moving data: read/write/readv/writev/pread/pwrite, positions, holes, O_APPEND, short counts at
 * unmapped pages, the /dev nodes, and the working directory. */
#include "check.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

int main(void)
{
	char buf[16384];
	mkdir("rw", 0755);
	chdir("rw");
	int fd = open("data", O_RDWR | O_CREAT | O_TRUNC, 0644);

	struct iovec out[3] = { { "alpha ", 6 }, { "", 0 }, { "beta gamma", 10 } };
	printf("writev wrote %zd\n", writev(fd, out, 3));
	printf("the offset is now %ld\n", (long)lseek(fd, 0, SEEK_CUR));
	char a[4], b[20];
	struct iovec in[2] = { { a, sizeof a }, { b, sizeof b } };
	lseek(fd, 0, SEEK_SET);
	ssize_t n = readv(fd, in, 2);
	printf("readv read %zd: '%.4s' '%.*s'\n", n, a, (int)n - 4, b);
	printf("pread at 6: %zd '%.4s'\n", pread(fd, buf, 4, 6), buf);
	printf("pread leaves the offset at %ld\n", (long)lseek(fd, 0, SEEK_CUR));
	printf("pwrite at 2: %zd\n", pwrite(fd, "PH", 2, 2));
	printf("read at the end: %zd\n", read(fd, buf, sizeof buf));
	printf("lseek past the end: %ld\n", (long)lseek(fd, 100, SEEK_SET));
	write(fd, "!", 1);
	struct stat st;
	fstat(fd, &st);
	printf("size after writing at 100: %lld\n", (long long)st.st_size);
	n = pread(fd, buf, sizeof buf, 0);
	int zeros = 0;
	for (int i = 16; i < 100; i++)
		zeros += buf[i] == 0;
	printf("pread of everything: %zd bytes, '%.16s', %d zeros in the hole, last '%c'\n", n, buf, zeros, buf[100]);
	printf("short read near the end: %zd\n", pread(fd, buf, 10, 96));

	int app = open("data", O_WRONLY | O_APPEND);
	lseek(app, 0, SEEK_SET);
	write(app, "<app>", 5);
	printf("O_APPEND writes at the end: offset %ld\n", (long)lseek(app, 0, SEEK_CUR));
	pwrite(app, "<pw>", 4, 0);
	fstat(fd, &st);
	printf("pwrite on O_APPEND appends too: size %lld\n", (long long)st.st_size);
	fcntl(app, F_SETFL, 0);
	lseek(app, 0, SEEK_SET);
	write(app, "[", 1);
	pread(fd, buf, 3, 0);
	printf("after F_SETFL cleared O_APPEND: '%.3s'\n", buf);

	/* A buffer whose second page is not mapped: the copy stops there. */
	char *two = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(two + 4096, 4096);
	int big = open("big", O_RDWR | O_CREAT | O_TRUNC, 0644);
	memset(buf, 'q', sizeof buf);
	write(big, buf, sizeof buf);
	lseek(big, 0, SEEK_SET);
	printf("read 8192 into a half-mapped buffer: %zd\n", read(big, two, 8192));
	printf("the offset moved by %ld\n", (long)lseek(big, 0, SEEK_CUR));
	printf("read into the unmapped half: %zd\n", read(big, two + 4096, 10));
	lseek(big, 0, SEEK_SET);
	printf("write 8192 from a half-mapped buffer: %zd\n", write(big, two, 8192));
	struct iovec mixed[2] = { { buf, 100 }, { two + 4096, 100 } };
	printf("writev with an unmapped second iovec: %zd\n", writev(big, mixed, 2));
	int p[2];
	pipe(p);
	printf("write 8192 from a half-mapped buffer to a pipe: %zd\n", write(p[1], two, 8192));

	/* /dev nodes. */
	int z = open("/dev/zero", O_RDONLY);
	memset(buf, 1, 100);
	n = read(z, buf, 100);
	printf("/dev/zero read %zd, all zero %s\n", n, memchr(buf, 1, 100) ? "no" : "yes");
	int nul = open("/dev/null", O_RDWR);
	printf("/dev/null read %zd, ", read(nul, buf, 10));
	printf("write %zd, ", write(nul, buf, 10));
	printf("lseek %ld\n", (long)lseek(nul, 55, SEEK_SET));
	printf("/dev/null takes a write from an unmapped buffer: %zd\n", write(nul, (void *)16, 10));
	int full = open("/dev/full", O_RDWR);
	TRY("write to /dev/full", write(full, buf, 1));
	printf("/dev/full read %zd\n", read(full, buf, 7));
	int ur = open("/dev/urandom", O_RDONLY);
	printf("/dev/urandom read %zd\n", read(ur, buf, 64));
	TRY("open /dev/tty without a terminal", open("/dev/tty", O_RDWR));

	/* The working directory. */
	char cwd[4096];
	mkdir("sub", 0755);
	chdir("sub");
	getcwd(cwd, sizeof cwd);
	char *tail = strrchr(cwd, '/');
	printf("getcwd ends with %s\n", tail);
	printf("getcwd returns the length with its NUL: %s\n",
	       syscall(SYS_getcwd, buf, sizeof buf) == (long)strlen(cwd) + 1 ? "yes" : "no");
	int here = open(".", O_RDONLY);
	chdir("..");
	fchdir(here);
	getcwd(cwd, sizeof cwd);
	printf("after fchdir: %s\n", strrchr(cwd, '/'));
	rmdir("../sub");
	TRY("getcwd in a removed directory", getcwd(cwd, sizeof cwd) ? 0 : -1);
	chdir("..");
	return 0;
}
