/*
 * errors: how the kernel says no.
 *
 * A system call that fails returns a negative error number in a0; the C
 * library stores it in errno and returns -1. Each line below makes one call
 * fail on purpose and prints the error name with strerror(3).
 *
 * Exit status: the number of calls that did not fail the way Linux does.
 */
#define _GNU_SOURCE /* for strerrorname_np */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

/* `result` is what the call returned; Linux fails it with `expected`. */
static void expect(const char *call, long result, int expected)
{
	int got = result == -1 ? errno : 0;
	printf("%-40s -> %s (%s)\n", call, got ? strerrorname_np(got) : "success",
	       got ? strerror(got) : "no error");
	if (got != expected)
		failures++;
	errno = 0;
}

int main(int argc, char **argv)
{
	char buf[16], path[256];
	/* An address nothing is mapped at. `volatile` stops the compiler from
	 * warning about the obviously bad pointer. */
	void *volatile bad = (void *)8;
	int fd = open(".", O_RDONLY | O_DIRECTORY);
	int pipefd[2];
	pipe(pipefd);
	write(pipefd[1], "x", 1);
	(void)argc;

	/* Bad pointers: the kernel checks every user address it touches. */
	expect("write(1, (void *)8, 4)", write(1, bad, 4), EFAULT);
	expect("read(pipe, (void *)8, 1)", read(pipefd[0], bad, 1), EFAULT);
	expect("open((char *)8, O_RDONLY)", open(bad, O_RDONLY), EFAULT);
	expect("stat(\".\", (struct stat *)8)", stat(".", bad), EFAULT);

	/* Bad file descriptors. */
	expect("close(999)", close(999), EBADF);
	expect("read(-1, buf, 1)", read(-1, buf, 1), EBADF);
	expect("write(pipe's read end, \"x\", 1)", write(pipefd[0], "x", 1), EBADF);
	expect("dup2(1, -1)", dup2(1, -1), EBADF);

	/* System calls the kernel does not have. */
	expect("syscall(999)", syscall(999), ENOSYS);

	/* Files and directories. */
	expect("read(directory, buf, 1)", read(fd, buf, sizeof buf), EISDIR);
	expect("open(\".\", O_WRONLY)", open(".", O_WRONLY), EISDIR);
	expect("open(\"no-such-file\", O_RDONLY)", open("no-such-file", O_RDONLY), ENOENT);
	snprintf(path, sizeof path, "%s/x", argv[0]);
	expect("open(\"<this program>/x\", O_RDONLY)", open(path, O_RDONLY), ENOTDIR);
	expect("mkdir(\".\", 0755)", mkdir(".", 0755), EEXIST);
	expect("lseek(pipe, 0, SEEK_SET)", lseek(pipefd[0], 0, SEEK_SET), ESPIPE);
	expect("lseek(directory, -1, SEEK_SET)", lseek(fd, -1, SEEK_SET), EINVAL);
	expect("execve(\"no-such-file\", ...)", execve("no-such-file", (char *[]){ NULL }, NULL), ENOENT);

	/* Processes and memory. */
	expect("waitpid(-1, ...) without children", waitpid(-1, NULL, 0), ECHILD);
	expect("kill(-2147483648, 0)", kill(-2147483647 - 1, 0), ESRCH);
	expect("kill(getpid(), 12345)", kill(getpid(), 12345), EINVAL);
	expect("munmap((void *)4097, 4096)", munmap((void *)4097, 4096), EINVAL);
	expect("mmap(NULL, 0, ...)", (long)mmap(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	expect("mmap(NULL, 4096, ..., fd -1, MAP_PRIVATE)", (long)mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);

	printf("%d call(s) did not fail as Linux does\n", failures);
	return failures;
}
