/* Errors of the file system calls, and the descriptor-table rules (lowest free fd, EMFILE). */
#include "check.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <dirent.h>
#include <termios.h>

int main(void)
{
	char buf[64];
	struct stat st;
	/* RLIMIT_NOFILE as Linux sets it by default (the host running the reference may differ). */
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = 1024;
	setrlimit(RLIMIT_NOFILE, &rl);
	mkdir("e", 0755);
	if (chdir("e") != 0)
		return 1;
	int f = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(f, "0123456789", 10);
	mkdir("dir", 0755);
	mkdir("full", 0755);
	close(open("full/x", O_CREAT | O_WRONLY, 0600));
	symlink("loop2", "loop1");
	symlink("loop1", "loop2");
	symlink("file", "link");
	int p[2];
	pipe(p);

	TRY("open missing", open("missing", O_RDONLY));
	TRY("open dir for writing", open("dir", O_WRONLY));
	TRY("open O_CREAT|O_EXCL existing", open("file", O_CREAT | O_EXCL | O_RDWR, 0644));
	TRY("open O_CREAT on a directory", open("dir", O_CREAT | O_RDWR, 0644));
	TRY("open O_CREAT|O_DIRECTORY", open("newdir", O_CREAT | O_DIRECTORY, 0644));
	TRY("open file/x", open("file/x", O_RDONLY));
	TRY("open O_DIRECTORY on a file", open("file", O_RDONLY | O_DIRECTORY));
	TRY("open symlink loop", open("loop1", O_RDONLY));
	TRY("open O_NOFOLLOW on a symlink", open("link", O_RDONLY | O_NOFOLLOW));
	TRY("open NULL path", syscall(SYS_openat, AT_FDCWD, NULL, O_RDONLY));
	TRY("open with a bad dirfd", openat(77, "file", O_RDONLY));
	TRY("open relative to a file", openat(f, "x", O_RDONLY));
	TRY("open empty path", open("", O_RDONLY));
	memset(buf, 'n', sizeof buf - 1);
	buf[sizeof buf - 1] = 0;
	char longname[300];
	memset(longname, 'x', 299);
	longname[299] = 0;
	TRY("open a 299-byte name", open(longname, O_RDONLY));
	int d = open("dir", O_RDONLY | O_DIRECTORY);
	TRY("read a directory", read(d, buf, sizeof buf));
	TRY("read a bad fd", read(99, buf, 1));
	TRY("read into NULL", read(f, NULL, 4));
	lseek(f, 0, SEEK_SET);
	TRY("read into an unmapped page", read(f, (void *)16, 4));
	TRY("write from NULL", write(f, NULL, 4));
	int ro = open("file", O_RDONLY);
	int wo = open("file", O_WRONLY);
	TRY("write to an O_RDONLY fd", write(ro, "x", 1));
	TRY("read from an O_WRONLY fd", read(wo, buf, 1));
	TRY("readv with -1 iovecs", readv(ro, NULL, -1));
	TRY("readv with 1025 iovecs", readv(ro, (struct iovec *)buf, 1025));
	TRY("lseek whence 5", lseek(f, 0, 5));
	TRY("lseek to a negative offset", lseek(f, -20, SEEK_SET));
	TRY("lseek on a pipe", lseek(p[0], 0, SEEK_CUR));
	TRY("pread on a pipe", pread(p[0], buf, 1, 0));
	TRY("pread at a negative offset", pread(f, buf, 1, -1));
	TRY("lseek SEEK_DATA past the end", lseek(f, 100, SEEK_DATA));
	FACT("lseek SEEK_HOLE is the size", lseek(f, 0, SEEK_HOLE) == 10);
	FACT("lseek SEEK_END - 2", lseek(f, -2, SEEK_END) == 8);
	TRY("mkdir existing", mkdir("dir", 0755));
	TRY("mkdir in a missing directory", mkdir("missing/d", 0755));
	TRY("mkdir .", mkdir(".", 0755));
	TRY("rmdir a non-empty directory", rmdir("full"));
	TRY("rmdir a file", rmdir("file"));
	TRY("rmdir .", rmdir("."));
	TRY("rmdir ..", rmdir(".."));
	TRY("unlink a directory", unlink("dir"));
	TRY("unlink missing", unlink("missing"));
	TRY("unlink file/", unlink("file/"));
	TRY("unlinkat with a bad flag", unlinkat(AT_FDCWD, "file", 0x1));
	TRY("rename missing", rename("missing", "x"));
	TRY("rename a directory over a file", rename("dir", "file"));
	TRY("rename a file over a directory", rename("file", "dir"));
	TRY("rename a directory over a non-empty one", rename("dir", "full"));
	TRY("renameat2 NOREPLACE onto existing", renameat2(AT_FDCWD, "link", AT_FDCWD, "file", RENAME_NOREPLACE));
	TRY("renameat2 NOREPLACE|EXCHANGE", renameat2(AT_FDCWD, "link", AT_FDCWD, "x", RENAME_NOREPLACE | RENAME_EXCHANGE));
	TRY("rename a directory into itself", rename("dir", "dir/sub"));
	TRY("link to a directory", link("dir", "dirlink"));
	TRY("link onto an existing name", link("file", "link"));
	TRY("symlink onto an existing name", symlink("x", "file"));
	TRY("readlink of a file", readlink("file", buf, sizeof buf));
	TRY("readlink with size 0", readlink("link", buf, 0));
	FACT("readlink truncates to the buffer", readlink("link", buf, 2) == 2 && buf[0] == 'f' && buf[1] == 'i');
	TRY("chdir to a file", chdir("file"));
	TRY("chdir to missing", chdir("missing"));
	TRY("fchdir to a file", fchdir(f));
	TRY("getcwd into 2 bytes", syscall(SYS_getcwd, buf, 2));
	TRY("access with mode 8", access("file", 8));
	TRY("faccessat with a bad flag", faccessat(AT_FDCWD, "file", R_OK, 0x1));
	TRY("access missing", access("missing", F_OK));
	TRY("truncate to -1", truncate("file", -1));
	TRY("truncate a directory", truncate("dir", 0));
	TRY("ftruncate an O_RDONLY fd", ftruncate(ro, 0));
	TRY("ftruncate a pipe", ftruncate(p[1], 0));
	TRY("fstat a bad fd", fstat(99, &st));
	TRY("fstat into NULL", fstat(f, NULL));
	TRY("stat missing", stat("missing", &st));
	TRY("fstatat with a bad flag", fstatat(AT_FDCWD, "file", &st, 0x1));
	TRY("getdents64 on a file", syscall(SYS_getdents64, f, buf, sizeof buf));
	TRY("getdents64 with a 10-byte buffer", syscall(SYS_getdents64, d, buf, 10));
	TRY("close a bad fd", close(99));
	TRY("close -1", close(-1));
	TRY("dup a bad fd", dup(99));
	TRY("dup3 onto itself", dup3(f, f, 0));
	TRY("dup3 with a bad flag", dup3(f, 20, 0x1));
	TRY("dup2 onto 1024", dup2(f, 1024));
	FACT("dup2 onto itself returns it", dup2(f, f) == f);
	TRY("fcntl with a bad command", fcntl(f, 9999));
	TRY("fcntl F_DUPFD at 1024", fcntl(f, F_DUPFD, 1024));
	TRY("fcntl F_GETPIPE_SZ on a file", fcntl(f, F_GETPIPE_SZ));
	TRY("ioctl TCGETS on a file", ioctl(f, TCGETS, buf));
	TRY("ioctl TCGETS on a pipe", ioctl(p[0], TCGETS, buf));
	TRY("ioctl on a bad fd", ioctl(99, FIONREAD, buf));
	TRY("pipe2 with a bad flag", pipe2(p, 0x1));
	TRY("pipe2 into NULL", syscall(SYS_pipe2, NULL, 0));
	TRY("fsync a pipe", fsync(p[0]));
	TRY("fsync a file", fsync(f));

	/* The lowest free descriptor is always the one given. */
	close(ro);
	int a = dup(f);
	FACT("dup takes the lowest free descriptor", a == ro);
	close(a);
	FACT("open takes the lowest free descriptor", open("file", O_RDONLY) == a);
	int fc = fcntl(f, F_DUPFD, 40);
	FACT("F_DUPFD starts at its argument", fc == 40);
	FACT("F_DUPFD_CLOEXEC sets FD_CLOEXEC", fcntl(fcntl(f, F_DUPFD_CLOEXEC, 0), F_GETFD) == FD_CLOEXEC);
	FACT("F_GETFD of a plain dup is 0", fcntl(fc, F_GETFD) == 0);
	fcntl(fc, F_SETFD, FD_CLOEXEC);
	FACT("F_SETFD sets FD_CLOEXEC", fcntl(fc, F_GETFD) == FD_CLOEXEC);
	FACT("dup3 O_CLOEXEC sets FD_CLOEXEC", dup3(f, 50, O_CLOEXEC) == 50 && fcntl(50, F_GETFD) == FD_CLOEXEC);
	printf("F_GETFL of an O_RDWR file                    0x%x\n", fcntl(f, F_GETFL));
	printf("F_GETFL of an O_WRONLY|O_APPEND file          0x%x\n", fcntl(open("file", O_WRONLY | O_APPEND), F_GETFL));
	printf("F_GETFL of a pipe's ends                     0x%x 0x%x\n", fcntl(p[0], F_GETFL), fcntl(p[1], F_GETFL));
	fcntl(f, F_SETFL, O_APPEND | O_NONBLOCK | O_RDONLY | O_CREAT | O_TRUNC);
	printf("F_SETFL changes only its own flags           0x%x\n", fcntl(f, F_GETFL));
	printf("F_GETFL of an O_CLOEXEC|O_NOFOLLOW fd        0x%x\n", fcntl(open("file", O_RDONLY | O_CLOEXEC | O_NOFOLLOW), F_GETFL));
	int opath = open("file", O_PATH | O_CLOEXEC);
	TRY("read an O_PATH fd", read(opath, buf, 1));
	TRY("fstat an O_PATH fd", fstat(opath, &st));
	printf("F_GETFL of an O_PATH fd                      0x%x\n", fcntl(opath, F_GETFL));
	TRY("fchdir through an O_PATH fd", fchdir(open("dir", O_PATH)));
	chdir("..");

	/* EMFILE at RLIMIT_NOFILE (set at the start). */
	int last = -1, n;
	while ((n = open("/dev/null", O_RDONLY)) >= 0)
		last = n;
	printf("the last descriptor                          %d\n", last);
	TRY("open once the table is full", open("/dev/null", O_RDONLY));
	TRY("dup once the table is full", dup(0));
	TRY("pipe once the table is full", pipe(p));
	close(last);
	TRY("pipe with one free slot", pipe(p));
	return 0;
}
