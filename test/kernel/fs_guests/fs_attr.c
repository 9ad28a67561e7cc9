/* File attributes: utimensat/futimens (exact nanoseconds, UTIME_NOW, UTIME_OMIT, links), chown and
 * its set-ID rules, statfs/fstatfs of the file systems a program meets, and ETXTBSY for the
 * running program. */
#include "check.h"
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/statvfs.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>

static void show_times(const char *label, const char *path, int flags)
{
	struct stat st;
	if (fstatat(AT_FDCWD, path, &st, flags) < 0) {
		printf("%-44s %s\n", label, strerrorname_np(errno));
		return;
	}
	printf("%-44s atime %ld.%09ld mtime %ld.%09ld\n", label, (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	       (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
}

static void show_owner(const char *label, const char *path, int flags)
{
	struct stat st;
	fstatat(AT_FDCWD, path, &st, flags);
	printf("%-44s uid %u gid %u mode 0%o\n", label, st.st_uid, st.st_gid, st.st_mode & 07777);
}

static void show_statfs(const char *label, int r, struct statfs *s)
{
	if (r < 0) {
		printf("%-44s %s\n", label, strerrorname_np(errno));
		return;
	}
	printf("%-44s type 0x%lx bsize %ld namelen %ld frsize==bsize %d rdonly %d valid %d\n", label, (long)s->f_type,
	       (long)s->f_bsize, (long)s->f_namelen, s->f_frsize == s->f_bsize, !!(s->f_flags & ST_RDONLY),
	       !!(s->f_flags & 0x20));
}

int main(int argc, char **argv)
{
	(void)argc;
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	write(fd, "data", 4);
	symlink("f", "link");

	/* Times. */
	struct timespec ts[2] = { { 1000000000, 123456789 }, { 1500000000, 987654321 } };
	TRY("utimensat exact", utimensat(AT_FDCWD, "f", ts, 0));
	show_times("  f", "f", 0);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1] = (struct timespec){ 1600000000, 1 };
	TRY("utimensat, atime UTIME_OMIT", utimensat(AT_FDCWD, "f", ts, 0));
	show_times("  f", "f", 0);
	ts[0] = (struct timespec){ -1, 500000000 };
	ts[1].tv_nsec = UTIME_OMIT;
	TRY("futimens, before 1970, mtime UTIME_OMIT", futimens(fd, ts));
	show_times("  f", "f", 0);
	ts[0] = (struct timespec){ 1700000000, 0 };
	ts[1] = (struct timespec){ 1700000001, 0 };
	TRY("utimensat on the link itself", utimensat(AT_FDCWD, "link", ts, AT_SYMLINK_NOFOLLOW));
	show_times("  link", "link", AT_SYMLINK_NOFOLLOW);
	show_times("  f", "f", 0);
	TRY("utimensat(NULL times): now", utimensat(AT_FDCWD, "f", NULL, 0));
	struct stat st;
	stat("f", &st);
	FACT("  mtime after 2020", st.st_mtim.tv_sec > 1577836800);
	FACT("  atime == mtime", st.st_atim.tv_sec == st.st_mtim.tv_sec && st.st_atim.tv_nsec == st.st_mtim.tv_nsec);
	ts[0].tv_nsec = ts[1].tv_nsec = UTIME_OMIT;
	TRY("both UTIME_OMIT on a missing file", utimensat(AT_FDCWD, "missing", ts, 0));
	ts[0] = (struct timespec){ 0, 1000000000 };
	ts[1] = (struct timespec){ 0, 0 };
	TRY("tv_nsec 1e9", utimensat(AT_FDCWD, "f", ts, 0));
	TRY("utimensat on a missing file", utimensat(AT_FDCWD, "missing", NULL, 0));
	TRY("utimensat with flag 1", utimensat(AT_FDCWD, "f", NULL, 1));
	TRY("utimensat(AT_FDCWD, NULL)", syscall(SYS_utimensat, AT_FDCWD, NULL, NULL, 0));
	TRY("futimens on a closed descriptor", futimens(99, NULL));
	TRY("utimensat with a bad times pointer", utimensat(AT_FDCWD, "f", (void *)16, 0));
	TRY("utimensat AT_EMPTY_PATH", (ts[0] = ts[1] = (struct timespec){ 1234, 5 }, utimensat(fd, "", ts, AT_EMPTY_PATH)));
	show_times("  f", "f", 0);

	/* Owners (the program runs as root). */
	TRY("chown f 1234:5678", chown("f", 1234, 5678));
	show_owner("  f", "f", 0);
	TRY("chown f -1:42", chown("f", -1, 42));
	show_owner("  f", "f", 0);
	TRY("lchown the link", lchown("link", 77, 88));
	show_owner("  link", "link", AT_SYMLINK_NOFOLLOW);
	show_owner("  f", "f", 0);
	TRY("fchown", fchown(fd, 0, 0));
	show_owner("  f", "f", 0);
	chmod("f", 06755);
	TRY("chown with set-ID bits, group-executable", chown("f", 1, 1));
	show_owner("  f", "f", 0);
	chmod("f", 06745);
	TRY("chown with set-ID bits, not group-exec", chown("f", 2, 2));
	show_owner("  f", "f", 0);
	chmod("f", 04755);
	TRY("chown -1:-1 with set-user-ID", chown("f", -1, -1));
	show_owner("  f", "f", 0);
	mkdir("d", 02755);
	TRY("chown a set-group-ID directory", chown("d", 3, 3));
	show_owner("  d", "d", 0);
	TRY("fchownat with flag 1", fchownat(AT_FDCWD, "f", 0, 0, 1));
	TRY("fchownat AT_EMPTY_PATH", fchownat(fd, "", 5, 6, AT_EMPTY_PATH));
	show_owner("  f", "f", 0);
	int path = open("f", O_PATH);
	TRY("fchown on an O_PATH descriptor", fchown(path, 0, 0));
	TRY("chown a missing file", chown("missing", 0, 0));
	fflush(stdout);
	if (fork() == 0) {
		setgid(1000);
		setuid(1000);
		TRY("as uid 1000: fchown a file of uid 5", fchown(fd, 1000, -1));
		TRY("as uid 1000: futimens (exact) of it", futimens(fd, ts));
		exit(0);
	}
	wait(NULL);

	/* statfs. */
	struct statfs s, s2;
	int r = statfs(".", &s);
	show_statfs("statfs .", r, &s);
	fstatfs(fd, &s2);
	FACT("  fstatfs of a file there agrees", s2.f_type == s.f_type && s2.f_blocks == s.f_blocks);
	FACT("  has blocks, bfree <= blocks, bavail <= bfree", s.f_blocks > 0 && s.f_bfree <= s.f_blocks && s.f_bavail <= s.f_bfree);
	show_statfs("statfs /proc", statfs("/proc", &s), &s);
	show_statfs("statfs /proc/self/status", statfs("/proc/self/status", &s), &s);
	int p[2];
	pipe(p);
	show_statfs("fstatfs of a pipe", fstatfs(p[0], &s), &s);
	show_statfs("fstatfs of an epoll instance", fstatfs(epoll_create1(0), &s), &s);
	show_statfs("fstatfs of an O_PATH descriptor", fstatfs(path, &s), &s);
	show_statfs("statfs of a missing file", statfs("missing", &s), &s);
	show_statfs("fstatfs of a closed descriptor", fstatfs(99, &s), &s);
	show_statfs("statfs with a bad buffer", statfs(".", (void *)16), &s);

	/* The running program cannot be written to. */
	TRY("open the running program for writing", open(argv[0], O_WRONLY));
	TRY("open /proc/self/exe read-write", open("/proc/self/exe", O_RDWR));
	TRY("truncate the running program", truncate(argv[0], 0));
	TRY("open it read-only", open(argv[0], O_RDONLY));
	TRY("open a hard link to it for writing", (link(argv[0], "hardlink"), open("hardlink", O_WRONLY)));
	return 0;
}
