/* Shared by the file-system test guests: print one fact per line, never pids or addresses. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* The errno name of a failed call, or the result of a successful one. */
#define TRY(label, expr)                                                         \
	do {                                                                     \
		errno = 0;                                                       \
		long r_ = (long)(expr);                                          \
		if (r_ < 0)                                                      \
			printf("%-44s %s\n", label, strerrorname_np(errno));    \
		else                                                             \
			printf("%-44s ok\n", label);                            \
	} while (0)

#define FACT(label, cond) printf("%-44s %s\n", label, (cond) ? "yes" : "no")

/* Waits until `pid` sleeps (state S) after more than `after` voluntary context switches, and
 * gives the count seen: how a test knows another process is blocked in a call, on Linux and in
 * Forkscope alike, before it acts. */
static inline void sleeping(pid_t pid, long after, long *switches)
{
	char path[64], text[4096];
	snprintf(path, sizeof path, "/proc/%d/status", pid);
	for (;;) {
		int fd = open(path, O_RDONLY);
		ssize_t k = read(fd, text, sizeof text - 1);
		close(fd);
		text[k > 0 ? k : 0] = 0;
		char *state = strstr(text, "State:\t"), *vol = strstr(text, "voluntary_ctxt_switches:\t");
		if (!state || !vol)
			continue;
		*switches = atol(vol + strlen("voluntary_ctxt_switches:\t"));
		if (state[7] == 'S' && *switches > after)
			return;
	}
}

/* A child that, 20 ms from now, writes `text` to `fd` (nothing if fd < 0) and exits: something
 * for a caller to sleep on. */
static inline pid_t later(int fd, const char *text)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec ts = { 0, 20000000 };
		nanosleep(&ts, NULL);
		if (fd >= 0)
			write(fd, text, strlen(text));
		_exit(0);
	}
	return pid;
}
