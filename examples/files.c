/*
 * files: the file system calls every program uses.
 *
 * Everything happens in a fresh scratch directory created next to the
 * program (in the current directory) by mkdtemp(3), which picks a random
 * name: two runs at the same time never collide. The name is never printed,
 * and the directory is removed at the end.
 *
 * Exit status: the number of checks that failed (0 when everything holds).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int failures;
static char scratch[] = "files-XXXXXX";
static int dir; /* the scratch directory, opened: paths below are relative to it */

static void check(const char *what, int holds)
{
	printf("%-52s %s\n", what, holds ? "yes" : "NO");
	if (!holds)
		failures++;
}

/* The size, type and permission bits of a path, as stat(2) reports them. */
static void show_stat(const char *name)
{
	struct stat st;
	if (fstatat(dir, name, &st, 0) != 0) {
		printf("stat %-12s %s\n", name, strerror(errno));
		return;
	}
	const char *type = S_ISREG(st.st_mode) ? "regular file" : S_ISDIR(st.st_mode) ? "directory" : "other";
	printf("stat %-12s %-12s mode %04o", name, type, st.st_mode & 07777);
	if (S_ISREG(st.st_mode))
		printf(" size %lld links %lu", (long long)st.st_size, (unsigned long)st.st_nlink);
	printf("\n");
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* readdir(3) returns entries in the file system's own order: sort them. */
static void list_scratch(void)
{
	DIR *dir = opendir(scratch);
	char *names[16];
	int count = 0;
	struct dirent *entry;
	while ((entry = readdir(dir)) != NULL && count < 16)
		names[count++] = strdup(entry->d_name);
	closedir(dir);
	qsort(names, count, sizeof names[0], by_name);
	printf("directory listing:");
	for (int i = 0; i < count; i++) {
		printf(" %s", names[i]);
		free(names[i]);
	}
	printf("\n");
}

int main(void)
{
	/* Fix the file creation mask so the modes below do not depend on the shell. */
	umask(022);
	if (mkdtemp(scratch) == NULL) {
		printf("mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	printf("created a scratch directory\n");

	/* The *at() calls take a directory descriptor and a path relative to it:
	 * no string pasting, and what glibc's open() and stat() use anyway. */
	dir = open(scratch, O_RDONLY | O_DIRECTORY);

	/* Create and write. O_EXCL: fail rather than reuse an existing file. */
	const char text[] = "The quick brown fox jumps over the lazy dog.\n";
	int fd = openat(dir, "notes.txt", O_CREAT | O_EXCL | O_RDWR, 0644);
	check("openat(O_CREAT | O_EXCL) returned a new descriptor", fd > dir);
	check("write wrote every byte", write(fd, text, strlen(text)) == (ssize_t)strlen(text));
	check("the second O_EXCL open fails with EEXIST",
	      openat(dir, "notes.txt", O_CREAT | O_EXCL | O_RDWR, 0644) == -1 && errno == EEXIST);

	/* The file offset: after the write it is at the end. */
	check("lseek(0, SEEK_CUR) is the file size", lseek(fd, 0, SEEK_CUR) == (off_t)strlen(text));
	char buf[64] = {0};
	check("read at the end returns 0 (end of file)", read(fd, buf, sizeof buf) == 0);

	/* Read back from the middle. */
	lseek(fd, 4, SEEK_SET);
	ssize_t n = read(fd, buf, 5);
	printf("read 5 bytes at offset 4: \"%.*s\"\n", (int)n, buf);
	n = pread(fd, buf, 3, 40);
	printf("pread 3 bytes at offset 40: \"%.*s\"\n", (int)n, buf);

	/* Writing past the end leaves a hole that reads as zeros. */
	lseek(fd, 100, SEEK_SET);
	write(fd, "end", 3);
	struct stat st;
	fstat(fd, &st);
	printf("fstat after writing at offset 100: size %lld\n", (long long)st.st_size);
	pread(fd, buf, 4, 60);
	check("the hole reads as zeros", memcmp(buf, "\0\0\0\0", 4) == 0);

	/* Truncate back to the original text. */
	ftruncate(fd, (off_t)strlen(text));
	fstat(fd, &st);
	printf("fstat after ftruncate: size %lld\n", (long long)st.st_size);
	close(fd);

	/* O_APPEND writes always go to the end, wherever the offset was. */
	fd = openat(dir, "notes.txt", O_WRONLY | O_APPEND);
	lseek(fd, 0, SEEK_SET);
	write(fd, "More.\n", 6);
	close(fd);
	fd = openat(dir, "notes.txt", O_RDONLY);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	buf[n] = '\0';
	printf("contents after O_APPEND:\n%s", buf);

	/* A directory, a hard link, a rename and a permission change. */
	mkdirat(dir, "subdir", 0755);
	linkat(dir, "notes.txt", dir, "hardlink.txt", 0);
	fd = openat(dir, "draft.txt", O_CREAT | O_WRONLY, 0600);
	close(fd);
	renameat(dir, "draft.txt", dir, "final.txt");
	fchmodat(dir, "final.txt", 0640, 0);
	list_scratch();
	show_stat("notes.txt");
	show_stat("hardlink.txt");
	show_stat("final.txt");
	show_stat("subdir");
	show_stat("draft.txt");

	/* Clean up: unlink the files, then the now empty directories. */
	check("rmdir of a non-empty directory fails with ENOTEMPTY",
	      rmdir(scratch) == -1 && errno == ENOTEMPTY);
	unlinkat(dir, "notes.txt", 0);
	show_stat("hardlink.txt");
	unlinkat(dir, "hardlink.txt", 0);
	unlinkat(dir, "final.txt", 0);
	unlinkat(dir, "subdir", AT_REMOVEDIR);
	list_scratch();
	close(dir);
	check("rmdir of the emptied scratch directory succeeds", rmdir(scratch) == 0);
	check("the scratch directory is gone", access(scratch, F_OK) == -1 && errno == ENOENT);

	printf("%d check(s) failed\n", failures);
	return failures;
}
