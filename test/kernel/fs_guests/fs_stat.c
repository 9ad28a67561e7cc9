/* struct stat, statx and struct linux_dirent64 as the kernel fills them, field by field. */
#include "check.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static void show(const char *what, const struct stat *st)
{
	printf("%-12s mode %06o nlink %lu size %lld blksize %ld rdev %u:%u\n", what, st->st_mode,
	       (unsigned long)st->st_nlink, (long long)st->st_size, (long)st->st_blksize,
	       major(st->st_rdev), minor(st->st_rdev));
}

struct ent {
	char name[64];
	int type, reclen;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->name, ((const struct ent *)b)->name);
}

int main(void)
{
	struct stat st, st2;
	umask(022);
	mkdir("s", 0777);
	chdir("s");
	int fd = open("file", O_RDWR | O_CREAT, 0666);
	write(fd, "twelve bytes", 12);
	mkdir("dir", 0750);
	symlink("file", "link");
	link("file", "hard");
	mknod("reg", S_IFREG | 0666, 0);

	stat("file", &st);
	show("file", &st);
	lstat("link", &st);
	show("link", &st);
	stat("link", &st);
	show("link->", &st);
	stat("dir", &st);
	printf("%-12s mode %06o\n", "dir", st.st_mode);
	stat("reg", &st);
	show("mknod reg", &st);
	stat("/dev/null", &st);
	show("/dev/null", &st);
	stat("/dev/zero", &st);
	show("/dev/zero", &st);
	fstat(fd, &st);
	show("fstat", &st);
	fstatat(fd, "", &st, AT_EMPTY_PATH);
	show("AT_EMPTY", &st);
	stat("hard", &st2);
	FACT("a hard link has the same dev and ino", st.st_dev == st2.st_dev && st.st_ino == st2.st_ino);
	stat("dir", &st2);
	FACT("files of one directory share st_dev", st.st_dev == st2.st_dev);
	FACT("other objects have other inodes", st.st_ino != st2.st_ino);
	FACT("blocks cover the size", st.st_blocks * 512 >= st.st_size);
	int p[2];
	pipe(p);
	fstat(p[0], &st);
	show("pipe", &st);
	fstat(p[1], &st2);
	FACT("a pipe's ends share an inode", st.st_ino == st2.st_ino);

	struct statx sx;
	TRY("statx", statx(AT_FDCWD, "file", 0, STATX_BASIC_STATS, &sx));
	stat("file", &st);
	FACT("statx mask has the basic stats", (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
	FACT("statx agrees with stat", sx.stx_mode == st.st_mode && sx.stx_size == (unsigned long long)st.st_size &&
					   sx.stx_ino == st.st_ino && sx.stx_nlink == st.st_nlink &&
					   makedev(sx.stx_dev_major, sx.stx_dev_minor) == st.st_dev &&
					   sx.stx_blocks == (unsigned long long)st.st_blocks &&
					   sx.stx_mtime.tv_sec == st.st_mtim.tv_sec &&
					   sx.stx_mtime.tv_nsec == (unsigned)st.st_mtim.tv_nsec);
	statx(AT_FDCWD, "/dev/null", 0, STATX_BASIC_STATS, &sx);
	printf("statx /dev/null rdev %u:%u\n", sx.stx_rdev_major, sx.stx_rdev_minor);
	TRY("statx AT_SYMLINK_NOFOLLOW", statx(AT_FDCWD, "link", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx));
	FACT("statx of the link itself", S_ISLNK(sx.stx_mode) && sx.stx_size == 4);
	TRY("statx with a reserved mask bit", statx(AT_FDCWD, "file", 0, 0x80000000u, &sx));
	TRY("statx with both sync flags", statx(AT_FDCWD, "file", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx));

	/* getdents64: every entry once, with its type and record length; d_off resumes a listing. */
	char buf[4096];
	int d = open(".", O_RDONLY | O_DIRECTORY);
	struct ent ents[32];
	int n = 0, calls = 0;
	long long second_off = -1;
	for (;;) {
		long got = syscall(SYS_getdents64, d, buf, 64); /* a small buffer: several calls */
		if (got <= 0)
			break;
		calls++;
		for (long off = 0; off < got;) {
			struct linux_dirent64 *e = (void *)(buf + off);
			strcpy(ents[n].name, e->d_name);
			ents[n].type = e->d_type;
			ents[n].reclen = e->d_reclen;
			if (n == 1)
				second_off = e->d_off;
			FACT("d_ino matches lstat", (fstatat(d, e->d_name, &st, AT_SYMLINK_NOFOLLOW), st.st_ino == e->d_ino));
			n++;
			off += e->d_reclen;
		}
	}
	qsort(ents, n, sizeof ents[0], by_name);
	for (int i = 0; i < n; i++)
		printf("entry %-6s type %2d reclen %d\n", ents[i].name, ents[i].type, ents[i].reclen);
	FACT("more than one call was needed", calls > 1);
	lseek(d, second_off, SEEK_SET);
	long got = syscall(SYS_getdents64, d, buf, sizeof buf);
	int rest = 0;
	for (long off = 0; off < got; off += ((struct linux_dirent64 *)(buf + off))->d_reclen)
		rest++;
	FACT("seeking to an entry's d_off lists the entries after it", rest == n - 2);
	lseek(d, 0, SEEK_SET);
	got = syscall(SYS_getdents64, d, buf, sizeof buf);
	rest = 0;
	for (long off = 0; off < got; off += ((struct linux_dirent64 *)(buf + off))->d_reclen)
		rest++;
	FACT("rewinding lists everything again", rest == n);
	DIR *dir = opendir("/dev");
	int seen = 0;
	struct dirent *de;
	while ((de = readdir(dir)) != NULL)
		if (!strcmp(de->d_name, "null") || !strcmp(de->d_name, "zero") || !strcmp(de->d_name, "urandom"))
			seen += de->d_type == DT_CHR;
	FACT("/dev lists null, zero and urandom as DT_CHR", seen == 3);
	return 0;
}
