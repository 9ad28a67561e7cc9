/* Advisory locks between processes: flock (shared by the open file, converted, released by the
 * last close, waiting), fcntl's POSIX locks (ranges, merging and splitting, F_GETLK's report,
 * released by any close of the owner, F_SETLKW waiting, EDEADLK) and OFD locks. */
#include "check.h"
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>

static void wait_child(const char *what)
{
	int status;
	wait(&status);
	printf("%-44s exit %d\n", what, WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static int lk(int fd, int cmd, short type, short whence, long start, long len)
{
	struct flock fl = { .l_type = type, .l_whence = whence, .l_start = start, .l_len = len };
	return fcntl(fd, cmd, &fl);
}

/* F_GETLK (or F_OFD_GETLK) of a write lock on [start, start+len): what is in the way. */
static void getlk(const char *label, int fd, int cmd, long start, long len, pid_t holder)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = start, .l_len = len };
	errno = 0;
	if (fcntl(fd, cmd, &fl) < 0) {
		printf("%-44s %s\n", label, strerrorname_np(errno));
		return;
	}
	if (fl.l_type == F_UNLCK) {
		printf("%-44s F_UNLCK (whence %d start %ld len %ld kept)\n", label, fl.l_whence, (long)fl.l_start, (long)fl.l_len);
		return;
	}
	printf("%-44s %s whence %d start %ld len %ld pid %s\n", label, fl.l_type == F_WRLCK ? "F_WRLCK" : "F_RDLCK",
	       fl.l_whence, (long)fl.l_start, (long)fl.l_len,
	       fl.l_pid == holder ? "holder" : fl.l_pid == -1 ? "-1" : "other");
}

int main(void)
{
	/* Children print too: every line goes out as it is written, in the order things happen. */
	setvbuf(stdout, NULL, _IONBF, 0);
	int fd = open("lockfile", O_CREAT | O_RDWR, 0600);
	write(fd, "0123456789", 10);
	int sync[2];
	pid_t me = getpid();

	/* flock: exclusive against another open file, shared by a forked copy of the same one. */
	TRY("flock LOCK_EX", flock(fd, LOCK_EX));
	TRY("flock LOCK_EX again (same file)", flock(fd, LOCK_EX));
	if (fork() == 0) {
		int other = open("lockfile", O_RDWR);
		TRY("child: LOCK_EX|LOCK_NB on another open", flock(other, LOCK_EX | LOCK_NB));
		TRY("child: LOCK_SH|LOCK_NB on another open", flock(other, LOCK_SH | LOCK_NB));
		TRY("child: LOCK_SH on the inherited file", flock(fd, LOCK_SH));
		_exit(0);
	}
	wait_child("flock child");
	TRY("LOCK_EX|LOCK_NB after the child made it shared", flock(fd, LOCK_EX | LOCK_NB));
	TRY("flock 0", flock(fd, 0));
	TRY("flock LOCK_SH|LOCK_EX", flock(fd, LOCK_SH | LOCK_EX));
	TRY("flock on a closed descriptor", flock(99, LOCK_SH));
	int path = open("lockfile", O_PATH);
	TRY("flock on an O_PATH descriptor", flock(path, LOCK_SH));
	pipe(sync);
	if (fork() == 0) {
		close(fd); /* the lock is the open file's: this copy would keep it */
		int other = open("lockfile", O_RDONLY);
		TRY("child: LOCK_EX|LOCK_NB while held", flock(other, LOCK_EX | LOCK_NB));
		write(sync[1], "w", 1);
		TRY("child: LOCK_EX, waiting", flock(other, LOCK_EX));
		_exit(0);
	}
	char c;
	read(sync[0], &c, 1);
	printf("parent closes its only descriptor\n");
	close(fd);
	wait_child("waiting flock child");
	fd = open("lockfile", O_RDWR);
	TRY("LOCK_SH|LOCK_NB once the child is gone", flock(fd, LOCK_SH | LOCK_NB));
	TRY("LOCK_UN", flock(fd, LOCK_UN));
	TRY("LOCK_UN without a lock", flock(fd, LOCK_UN));

	/* POSIX locks: ranges, as another process sees them. */
	TRY("F_SETLK write [0,10)", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10));
	TRY("F_SETLK read [20,30)", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 20, 10));
	TRY("F_SETLK write [10,15) (touches [0,10))", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 5));
	TRY("F_SETLK write from 100 to the end", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 100, 0));
	TRY("F_SETLK unlock [3,5)", lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 3, 2));
	TRY("F_SETLK read [60,70) as 70 with len -10", lk(fd, F_SETLK, F_RDLCK, SEEK_SET, 70, -10));
	if (fork() == 0) {
		int other = open("lockfile", O_RDWR);
		getlk("child: F_GETLK at 0", other, F_GETLK, 0, 1, me);
		getlk("child: F_GETLK at 3", other, F_GETLK, 3, 2, me);
		getlk("child: F_GETLK at 7", other, F_GETLK, 7, 1, me);
		getlk("child: F_GETLK [16,20)", other, F_GETLK, 16, 4, me);
		getlk("child: F_GETLK at 25", other, F_GETLK, 25, 1, me);
		getlk("child: F_GETLK at 65", other, F_GETLK, 65, 1, me);
		getlk("child: F_GETLK at 1000", other, F_GETLK, 1000, 1, me);
		getlk("child: F_GETLK of everything", other, F_GETLK, 0, 0, me);
		TRY("child: F_SETLK write at 3", lk(other, F_SETLK, F_WRLCK, SEEK_SET, 3, 1));
		TRY("child: F_SETLK write at 5", lk(other, F_SETLK, F_WRLCK, SEEK_SET, 5, 1));
		TRY("child: F_SETLK read at 25 (shared)", lk(other, F_SETLK, F_RDLCK, SEEK_SET, 25, 1));
		TRY("child: F_SETLK write at 25", lk(other, F_SETLK, F_WRLCK, SEEK_SET, 25, 1));
		_exit(0);
	}
	wait_child("F_GETLK child");

	/* Checks. */
	TRY("F_SETLK whence 7", lk(fd, F_SETLK, F_WRLCK, 7, 0, 1));
	TRY("F_SETLK type 9", lk(fd, F_SETLK, 9, SEEK_SET, 0, 1));
	TRY("F_GETLK of F_UNLCK", lk(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 1));
	TRY("F_SETLK before offset 0", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 5, -10));
	TRY("F_SETLK from SEEK_END - 20", lk(fd, F_SETLK, F_WRLCK, SEEK_END, -20, 1));
	TRY("F_SETLK past the largest offset", lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0x7fffffffffffffffL, 2));
	int ro = open("lockfile", O_RDONLY);
	TRY("write lock through a read-only descriptor", lk(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	TRY("F_GETLK with a bad pointer", fcntl(fd, F_GETLK, (void *)16));
	TRY("F_GETLK on an O_PATH descriptor", lk(path, F_GETLK, F_WRLCK, SEEK_SET, 0, 1));
	lseek(fd, 40, SEEK_SET);
	TRY("F_SETLK write at SEEK_CUR (40)", lk(fd, F_SETLK, F_WRLCK, SEEK_CUR, 0, 1));
	TRY("F_SETLK write at SEEK_END - 1 (9)", lk(fd, F_SETLK, F_WRLCK, SEEK_END, -1, 1));

	/* Closing any descriptor of the file drops the process's POSIX locks. */
	close(ro);
	if (fork() == 0) {
		int other = open("lockfile", O_RDWR);
		getlk("child: after the parent closed another fd", other, F_GETLK, 0, 0, me);
		_exit(0);
	}
	wait_child("after-close child");

	/* F_SETLKW waits; a deadlock is refused. */
	lk(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1);
	pid_t child = fork();
	if (child == 0) {
		int other = open("lockfile", O_RDWR);
		TRY("child: lock byte 1", lk(other, F_SETLK, F_WRLCK, SEEK_SET, 1, 1));
		write(sync[1], "1", 1);
		TRY("child: F_SETLKW byte 0 (waits)", lk(other, F_SETLKW, F_WRLCK, SEEK_SET, 0, 1));
		_exit(0);
	}
	read(sync[0], &c, 1);
	long switches;
	sleeping(child, -1, &switches);
	TRY("F_SETLKW byte 1 (a deadlock)", lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1));
	int unlocked = lk(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
	wait_child("F_SETLKW child, once byte 0 is unlocked");
	TRY("  the unlock", unlocked);
	TRY("F_SETLKW byte 1 once the child is gone", lk(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1));

	/* A signal ends F_SETLKW. */
	child = fork();
	if (child == 0) {
		signal(SIGUSR1, SIG_DFL);
		int other = open("lockfile", O_RDWR);
		lk(other, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1);
		_exit(0);
	}
	sleeping(child, -1, &switches);
	kill(child, SIGUSR1);
	wait_child("F_SETLKW child killed by SIGUSR1");

	/* OFD locks belong to the open file: two opens in one process conflict. */
	int a = open("lockfile", O_RDWR), b = open("lockfile", O_RDWR);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 200, .l_len = 10, .l_pid = 1 };
	TRY("F_OFD_SETLK with l_pid 1", fcntl(a, F_OFD_SETLK, &fl));
	TRY("F_OFD_SETLK [200,210) on a", lk(a, F_OFD_SETLK, F_WRLCK, SEEK_SET, 200, 10));
	TRY("F_OFD_SETLK [205,206) on b", lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 205, 1));
	getlk("F_OFD_GETLK on b", b, F_OFD_GETLK, 205, 1, me);
	TRY("F_SETLK (POSIX) at 205", lk(b, F_SETLK, F_WRLCK, SEEK_SET, 205, 1));
	TRY("F_OFD_SETLK over our own POSIX lock at 0", lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1));
	int a2 = dup(a);
	close(a);
	TRY("b after a's descriptor closed (dup open)", lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 205, 1));
	close(a2);
	TRY("b after the last descriptor of a closed", lk(b, F_OFD_SETLK, F_WRLCK, SEEK_SET, 205, 1));
	if (fork() == 0) {
		int other = open("lockfile", O_RDWR);
		getlk("child: F_GETLK sees the OFD lock", other, F_GETLK, 205, 1, me);
		_exit(0);
	}
	wait_child("OFD child");
	return 0;
}
