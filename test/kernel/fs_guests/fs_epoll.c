/* epoll: the instance as a file, epoll_ctl's errors, level-triggered turns, EPOLLET, EPOLLONESHOT,
 * hang-ups, timeouts, sleeping until a child writes, signals and epoll_pwait's mask, items that
 * outlive a closed duplicate, nested instances, and a pidfd that becomes readable at exit. */
#include "check.h"
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>

static volatile sig_atomic_t handled;
static void on_signal(int sig) { (void)sig; handled++; }

static int ep_add(int ep, int fd, unsigned events, unsigned long data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

/* epoll_wait, and what it returned: "n: data=EVENTS ...". */
static void show_wait(const char *label, int ep, int max, int timeout)
{
	struct epoll_event evs[8];
	errno = 0;
	int n = epoll_wait(ep, evs, max, timeout);
	printf("%-44s %d", label, n);
	if (n < 0)
		printf(" %s", strerrorname_np(errno));
	for (int i = 0; i < n; i++) {
		unsigned e = evs[i].events;
		printf(" %lu=%s%s%s%s", (unsigned long)evs[i].data.u64, e & EPOLLIN ? "IN" : "", e & EPOLLOUT ? "OUT" : "",
		       e & EPOLLHUP ? "HUP" : "", e & EPOLLERR ? "ERR" : "");
	}
	printf("\n");
}

static void alarm_soon(void)
{
	struct itimerval it = { .it_value = { .tv_usec = 50000 } };
	setitimer(ITIMER_REAL, &it, NULL);
}

int main(void)
{
	int p[2], q[2], r2[2];
	char buf[64];

	/* The instance is a file. */
	int ep = epoll_create1(0), ep2 = epoll_create1(EPOLL_CLOEXEC);
	struct stat st, st2;
	fstat(ep, &st);
	fstat(ep2, &st2);
	printf("mode 0%o, size %ld, same inode for both %s\n", st.st_mode, (long)st.st_size, st.st_ino == st2.st_ino ? "yes" : "no");
	printf("F_GETFL 0x%x, FD_CLOEXEC %d and %d\n", fcntl(ep, F_GETFL), fcntl(ep, F_GETFD), fcntl(ep2, F_GETFD));
	snprintf(buf, sizeof buf, "/proc/self/fd/%d", ep);
	char link[64] = "";
	readlink(buf, link, sizeof link - 1);
	printf("link %s\n", link);
	TRY("read from an epoll descriptor", read(ep, buf, 1));
	TRY("epoll_create1(1)", epoll_create1(1));

	/* epoll_ctl's checks. */
	pipe(p);
	pipe(q);
	int reg = open("plain", O_CREAT | O_RDWR, 0600);
	struct epoll_event ev = { .events = EPOLLIN };
	TRY("add a regular file", epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev));
	TRY("add /dev/null", epoll_ctl(ep, EPOLL_CTL_ADD, open("/dev/null", O_RDONLY), &ev));
	TRY("add the instance to itself", epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
	TRY("epoll_ctl on a pipe", epoll_ctl(p[0], EPOLL_CTL_ADD, q[0], &ev));
	TRY("epoll_ctl on a closed descriptor", epoll_ctl(99, EPOLL_CTL_ADD, q[0], &ev));
	TRY("add a closed descriptor", epoll_ctl(ep, EPOLL_CTL_ADD, 99, &ev));
	TRY("add with a NULL event", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], NULL));
	TRY("delete with a NULL event", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	TRY("modify what is not there", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	TRY("operation 7", epoll_ctl(ep, 7, p[0], &ev));
	TRY("add p[0]", ep_add(ep, p[0], EPOLLIN, 1));
	TRY("add p[0] again", ep_add(ep, p[0], EPOLLIN, 1));
	TRY("add q[0] with EPOLLEXCLUSIVE", ep_add(ep, q[0], EPOLLIN | EPOLLEXCLUSIVE, 2));
	TRY("modify an EPOLLEXCLUSIVE item", epoll_ctl(ep, EPOLL_CTL_MOD, q[0], &ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	TRY("modify to EPOLLEXCLUSIVE", epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	TRY("EPOLLEXCLUSIVE with EPOLLPRI", ep_add(ep, q[1], EPOLLOUT | EPOLLPRI | EPOLLEXCLUSIVE, 3));
	TRY("delete q[0]", epoll_ctl(ep, EPOLL_CTL_DEL, q[0], NULL));
	TRY("epoll_wait with maxevents 0", epoll_wait(ep, (struct epoll_event *)buf, 0, 0));
	TRY("epoll_wait into NULL", epoll_wait(ep, NULL, 1, 0));
	TRY("epoll_wait on a pipe", epoll_wait(p[0], (struct epoll_event *)buf, 1, 0));

	/* Level-triggered: ready items are reported every time, taking turns. */
	ep_add(ep, q[0], EPOLLIN, 2);
	show_wait("nothing ready", ep, 8, 0);
	write(q[1], "a", 1);
	write(p[1], "b", 1);
	show_wait("both ready, in the order they became so", ep, 8, 0);
	show_wait("one at a time", ep, 1, 0);
	show_wait("  the other's turn", ep, 1, 0);
	show_wait("  and back", ep, 1, 0);
	read(q[0], buf, 1);
	read(p[0], buf, 1);
	show_wait("drained", ep, 8, 0);
	TRY("modify p[0] to want EPOLLOUT too", (ev = (struct epoll_event){ .events = EPOLLIN | EPOLLOUT, .data.u64 = 11 },
						  epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev)));
	show_wait("a read end is never writable", ep, 8, 0);

	/* Edge-triggered: once per wake-up, even with data left. */
	int et = epoll_create1(0);
	ep_add(et, p[0], EPOLLIN | EPOLLET, 5);
	show_wait("ET, nothing", et, 8, 0);
	write(p[1], "12", 2);
	show_wait("ET, a write", et, 8, 0);
	show_wait("ET, again without a new write", et, 8, 0);
	read(p[0], buf, 1);
	show_wait("ET, after reading part", et, 8, 0);
	write(p[1], "3", 1);
	show_wait("ET, another write (data was left)", et, 8, 0);
	read(p[0], buf, sizeof buf);

	/* One-shot: disabled after one report until EPOLL_CTL_MOD. */
	int os = epoll_create1(0);
	ep_add(os, p[0], EPOLLIN | EPOLLONESHOT, 6);
	write(p[1], "x", 1);
	show_wait("one-shot", os, 8, 0);
	write(p[1], "y", 1);
	show_wait("one-shot, disabled", os, 8, 0);
	ev = (struct epoll_event){ .events = EPOLLIN | EPOLLONESHOT, .data.u64 = 7 };
	epoll_ctl(os, EPOLL_CTL_MOD, p[0], &ev);
	show_wait("one-shot, re-armed", os, 8, 0);
	read(p[0], buf, sizeof buf);

	/* Hang-ups and errors are reported without being asked for. */
	pipe(r2);
	int hup = epoll_create1(0);
	ep_add(hup, r2[0], EPOLLIN, 8);
	ep_add(hup, r2[1], 0, 9);
	close(r2[1]);
	show_wait("writer closed", hup, 8, 0);
	pipe(r2);
	ep_add(hup, r2[1], EPOLLOUT, 10);
	close(r2[0]);
	show_wait("reader closed too", hup, 8, 0);

	/* Timeouts, and sleeping until a child writes. */
	show_wait("30 ms, nothing", ep, 8, 30);
	later(q[1], "late");
	show_wait("until a child writes", ep, 8, -1);
	wait(NULL);
	read(q[0], buf, sizeof buf);
	struct timespec zero = { 0, 0 };
	errno = 0;
	printf("%-44s %d\n", "epoll_pwait2 with a zero timespec", epoll_pwait2(ep, (struct epoll_event *)buf, 1, &zero, NULL));
	zero.tv_nsec = -1;
	TRY("epoll_pwait2 with tv_nsec -1", epoll_pwait2(ep, (struct epoll_event *)buf, 1, &zero, NULL));

	/* Signals: EINTR, never restarted; epoll_pwait's mask. */
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	sigaction(SIGALRM, &sa, NULL);
	alarm_soon();
	show_wait("SIGALRM with SA_RESTART", ep, 8, -1);
	FACT("  the handler ran", handled == 1);
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t usr1, none, now;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	sigemptyset(&none);
	sigprocmask(SIG_BLOCK, &usr1, NULL);
	kill(getpid(), SIGUSR1);
	TRY("epoll_pwait letting SIGUSR1 in", epoll_pwait(ep, (struct epoll_event *)buf, 1, -1, &none));
	FACT("  the handler ran", handled == 2);
	FACT("  SIGUSR1 blocked again", (sigprocmask(SIG_BLOCK, NULL, &now), sigismember(&now, SIGUSR1)));
	sigprocmask(SIG_UNBLOCK, &usr1, NULL);

	/* An item lives as long as its open file, not its descriptor. */
	int d = dup(q[0]);
	int dup_ep = epoll_create1(0);
	ep_add(dup_ep, d, EPOLLIN, 12);
	close(d);
	write(q[1], "d", 1);
	show_wait("descriptor closed, file still open", dup_ep, 8, 0);
	TRY("  and the closed descriptor cannot be deleted", epoll_ctl(dup_ep, EPOLL_CTL_DEL, d, NULL));
	read(q[0], buf, sizeof buf);
	int gone[2];
	pipe(gone);
	ep_add(dup_ep, gone[0], EPOLLIN, 13);
	write(gone[1], "g", 1);
	close(gone[0]);
	show_wait("the file's last descriptor closed", dup_ep, 8, 0);

	/* Nested instances, and poll on an instance. */
	int outer = epoll_create1(0), inner = epoll_create1(0);
	ep_add(inner, q[0], EPOLLIN, 14);
	TRY("outer watches inner", ep_add(outer, inner, EPOLLIN, 15));
	TRY("inner watches outer (a loop)", ep_add(inner, outer, EPOLLIN, 16));
	show_wait("outer, nothing", outer, 8, 0);
	struct pollfd pf = { .fd = inner, .events = POLLIN };
	int n = poll(&pf, 1, 0);
	printf("%-44s %d\n", "poll(inner)", n);
	write(q[1], "n", 1);
	show_wait("outer, once inner has an event", outer, 8, 0);
	n = poll(&pf, 1, 0);
	printf("%-44s %d 0x%x\n", "poll(inner)", n, pf.revents);
	read(q[0], buf, sizeof buf);
	later(q[1], "nested");
	show_wait("outer sleeps until the child writes", outer, 8, -1);
	wait(NULL);
	read(q[0], buf, sizeof buf);
	int chain[6];
	for (int i = 0; i < 6; i++)
		chain[i] = epoll_create1(0);
	int depth = 0;
	for (int i = 0; i < 5 && ep_add(chain[i], chain[i + 1], EPOLLIN, 0) == 0; i++)
		depth++;
	printf("%-44s %d (then %s)\n", "instances nested before ELOOP", depth, strerrorname_np(errno));

	/* A pidfd is readable once its process has exited. */
	pid_t child = later(-1, "");
	int pidfd = syscall(SYS_pidfd_open, child, 0);
	int pe = epoll_create1(0);
	ep_add(pe, pidfd, EPOLLIN, 17);
	show_wait("pidfd, child running", pe, 8, 0);
	show_wait("pidfd, until the child exits", pe, 8, -1);
	show_wait("pidfd, a zombie stays readable", pe, 8, 0);
	waitpid(child, NULL, 0);
	show_wait("pidfd, reaped", pe, 8, 0);
	return 0;
}
