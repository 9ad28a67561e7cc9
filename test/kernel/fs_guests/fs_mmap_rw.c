/* read() and write() of a file that is also mapped: a MAP_SHARED store is what the next read
 * returns, a write() is what the mapping shows — in this process and in another one — and a
 * MAP_PRIVATE page shows the file until the process writes to it. */
#include "check.h"
#include <sys/mman.h>
#include <sys/wait.h>

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int fd = open("shared", O_CREAT | O_RDWR | O_TRUNC, 0644);
	char page[8192];
	memset(page, '.', sizeof page);
	write(fd, page, sizeof page);
	char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	char *priv = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	char buf[16] = "";

	memcpy(m + 100, "stored", 6);
	pread(fd, buf, 6, 100);
	printf("read after a store to the shared mapping:    %.6s\n", buf);
	pwrite(fd, "written", 7, 5000);
	printf("shared mapping after pwrite:                 %.7s\n", m + 5000);
	printf("private mapping, untouched page, after pwrite: %.7s\n", priv + 5000);
	priv[0] = 'P';
	pwrite(fd, "again", 5, 1);
	printf("private mapping, its own page, after pwrite: %.5s\n", priv + 1);
	printf("shared mapping sees it:                      %.5s\n", m + 1);
	lseek(fd, 200, SEEK_SET);
	write(fd, "seq", 3);
	printf("shared mapping after write at the position:  %.3s\n", m + 200);

	if (fork() == 0) {
		int cfd = open("shared", O_RDWR);
		char *cm = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, cfd, 0);
		printf("child's own mapping shows the parent's store: %.6s\n", cm + 100);
		memcpy(cm + 300, "child", 5);
		pwrite(cfd, "cw", 2, 6000);
		_exit(0);
	}
	wait(NULL);
	printf("parent's mapping shows the child's store:    %.5s\n", m + 300);
	pread(fd, buf, 5, 300);
	printf("parent reads the child's store:              %.5s\n", buf);
	printf("parent's mapping shows the child's pwrite:   %.2s\n", m + 6000);

	munmap(m, 8192);
	munmap(priv, 8192);
	close(fd);
	fd = open("shared", O_RDONLY);
	pread(fd, buf, 6, 100);
	printf("after munmap and close, the file holds:      %.6s\n", buf);
	return 0;
}
