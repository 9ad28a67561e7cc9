/*
 * clone and clone3 as programs see them: which flag combinations the kernel refuses, what each
 * sharing flag shares, and the tid/pidfd handshakes. Printed as facts, compared with Linux.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static char stack[64 * 1024] __attribute__((aligned(16)));
static volatile int shared_word;
static int fd_from_child = -1;

static const char *err(long r)
{
	return r == -1 ? strerrorname_np(errno) : "ok";
}

static int child_write(void *arg)
{
	(void)arg;
	shared_word = 42;
	fd_from_child = open("/dev/null", O_RDONLY);
	return 7;
}

static int child_parent(void *arg)
{
	/* With CLONE_PARENT, our parent is the caller's parent. */
	return getppid() == *(pid_t *)arg ? 3 : 4;
}

static long raw_clone3(struct clone_args *a, size_t size)
{
	return syscall(SYS_clone3, a, size);
}

int main(void)
{
	int status;
	/* Refused combinations (copy_process / clone3_args_valid). */
	printf("CLONE_THREAD without CLONE_SIGHAND: %s\n",
	       err(clone(child_write, stack + sizeof stack, CLONE_VM | CLONE_THREAD, NULL)));
	printf("CLONE_SIGHAND without CLONE_VM: %s\n",
	       err(clone(child_write, stack + sizeof stack, CLONE_SIGHAND | SIGCHLD, NULL)));
	struct clone_args a;
	memset(&a, 0, sizeof a);
	a.exit_signal = SIGCHLD;
	printf("clone3 with a short struct: %s\n", err(raw_clone3(&a, 32)));
	a.flags = CLONE_THREAD | CLONE_SIGHAND | CLONE_VM;
	printf("clone3 THREAD with an exit signal: %s\n", err(raw_clone3(&a, sizeof a)));
	a.flags = 0;
	a.stack = (uint64_t)(uintptr_t)stack;
	printf("clone3 stack without a size: %s\n", err(raw_clone3(&a, sizeof a)));
	a.stack = 0;
	a.flags = CLONE_SIGHAND | CLONE_CLEAR_SIGHAND | CLONE_VM;
	printf("clone3 SIGHAND with CLEAR_SIGHAND: %s\n", err(raw_clone3(&a, sizeof a)));
	a.flags = 1ULL << 40;
	printf("clone3 with an unknown flag: %s\n", err(raw_clone3(&a, sizeof a)));

	/* clone3 as fork, with CLONE_PIDFD and CLONE_PARENT_SETTID. */
	int pidfd = -1;
	pid_t ptid = 0;
	memset(&a, 0, sizeof a);
	a.flags = CLONE_PIDFD | CLONE_PARENT_SETTID;
	a.pidfd = (uint64_t)(uintptr_t)&pidfd;
	a.parent_tid = (uint64_t)(uintptr_t)&ptid;
	a.exit_signal = SIGCHLD;
	fflush(stdout);
	pid_t c = raw_clone3(&a, sizeof a);
	if (c == 0)
		_exit(5);
	printf("clone3: parent_tid holds the child's pid: %s\n", ptid == c ? "yes" : "no");
	printf("clone3: a pidfd came back, close-on-exec: %s\n",
	       pidfd >= 0 && (fcntl(pidfd, F_GETFD) & FD_CLOEXEC) ? "yes" : "no");
	siginfo_t si;
	memset(&si, 0, sizeof si);
	long w = waitid(P_PIDFD, pidfd, &si, WEXITED);
	printf("waitid(P_PIDFD): %s, status %d\n", err(w), si.si_status);
	printf("pidfd_send_signal to a reaped child: %s\n", err(syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0)));
	close(pidfd);

	/* CLONE_VM without CLONE_THREAD: a separate process on our memory. */
	fflush(stdout);
	c = clone(child_write, stack + sizeof stack, CLONE_VM | SIGCHLD, NULL);
	waitpid(c, &status, 0);
	printf("CLONE_VM child's write seen by the parent: %s (exit %d)\n", shared_word == 42 ? "yes" : "no", WEXITSTATUS(status));
	printf("without CLONE_FILES its open() is not ours: %s\n", fcntl(fd_from_child, F_GETFD) == -1 ? "yes" : "no");

	/* CLONE_VM|CLONE_FILES: the descriptor table is shared too. */
	shared_word = 0;
	c = clone(child_write, stack + sizeof stack, CLONE_VM | CLONE_FILES | SIGCHLD, NULL);
	waitpid(c, &status, 0);
	printf("with CLONE_FILES its open() is ours: %s\n", fcntl(fd_from_child, F_GETFD) != -1 ? "yes" : "no");

	/* CLONE_PARENT: a sibling, not a child. */
	pid_t ours = getppid();
	c = clone(child_parent, stack + sizeof stack, CLONE_PARENT | SIGCHLD, &ours);
	printf("a CLONE_PARENT child is not ours to wait for: %s\n", waitpid(c, &status, 0) == -1 ? strerrorname_np(errno) : "waited");

	/* The exit signal is the low byte: a child ending with SIGUSR1 needs __WCLONE. (We ignore
	 * SIGUSR1 so that its arrival does not end us; that does not make the child auto-reaped.) */
	signal(SIGUSR1, SIG_IGN);
	c = clone(child_write, stack + sizeof stack, SIGUSR1, NULL);
	printf("plain waitpid on a SIGUSR1 child: %s\n", waitpid(c, &status, WNOHANG) == -1 ? strerrorname_np(errno) : "found");
	printf("waitpid with __WCLONE: %s\n", waitpid(c, &status, __WCLONE) == c ? "reaped" : "missed");
	return 0;
}
