/* procfs as a process sees it: /proc/self and /proc/<pid>, read through the file system. */
#include "check.h"
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <regex.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static char text[65536];

/* The whole file, NUL-terminated (its length in *len). */
static char *slurp(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	size_t n = 0;
	ssize_t r;
	if (fd < 0) {
		*len = 0;
		text[0] = 0;
		return NULL;
	}
	while ((r = read(fd, text + n, 100)) > 0) /* small reads: the file is walked in pieces */
		n += r;
	close(fd);
	text[n] = 0;
	*len = n;
	return text;
}

static const char *field(const char *status, const char *name)
{
	static char value[256];
	const char *p = strstr(status, name);
	if (!p)
		return "(none)";
	p += strlen(name);
	while (*p == '\t' || *p == ' ')
		p++;
	size_t i = 0;
	while (p[i] && p[i] != '\n' && i < sizeof value - 1) {
		value[i] = p[i];
		i++;
	}
	value[i] = 0;
	return value;
}

static const char *link_base(const char *path)
{
	static char buf[4096];
	ssize_t n = readlink(path, buf, sizeof buf - 1);
	if (n < 0)
		return strerrorname_np(errno);
	buf[n] = 0;
	return strncmp(buf, "pipe:[", 6) == 0 ? "pipe:[…]" : basename(buf);
}

int main(int argc, char **argv)
{
	size_t len;
	char path[256];
	(void)argc;

	/* stat: 52 fields, the pid, "(comm)", the state and the parent. */
	slurp("/proc/self/stat", &len);
	int fields = 0;
	for (char *t = strchr(text, ')') + 1; *t; t++)
		if (*t == ' ')
			fields++;
	long pid, ppid;
	char comm[64], state;
	sscanf(text, "%ld %63s %c %ld", &pid, comm, &state, &ppid);
	printf("stat: fields %d, pid is mine %s, comm %s, state %c, ppid is my parent %s\n", fields + 2,
	       pid == getpid() ? "yes" : "no", comm, state, ppid == getppid() ? "yes" : "no");
	FACT("stat ends with a newline", text[len - 1] == '\n');

	/* status. */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGRTMIN + 1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGUSR2, SIG_IGN);
	umask(027);
	slurp("/proc/self/status", &len);
	printf("status: Name %s, ", field(text, "Name:"));
	printf("State %s, ", field(text, "State:"));
	printf("Umask %s, ", field(text, "Umask:"));
	printf("Threads %s\n", field(text, "Threads:"));
	printf("status: SigBlk %s, ", field(text, "SigBlk:"));
	printf("SigIgn %s\n", field(text, "SigIgn:"));
	FACT("status: Pid and PPid", atol(field(text, "\nPid:")) == getpid() && atol(field(text, "PPid:")) == getppid());
	FACT("status: Tgid is the pid", atol(field(text, "Tgid:")) == getpid());
	FACT("status: VmRSS is a size in kB", strstr(field(text, "VmRSS:"), " kB") != NULL);

	/* cmdline and environ are the strings in the process's memory. */
	slurp("/proc/self/cmdline", &len);
	size_t want = 0;
	for (char **a = argv; *a; a++)
		want += strlen(*a) + 1;
	int same = len == want;
	for (char *t = text, **a = argv; same && *a; t += strlen(t) + 1, a++)
		same = strcmp(t, *a) == 0;
	FACT("cmdline is argv, NUL-separated", same);
	slurp("/proc/self/environ", &len);
	want = 0;
	for (char **e = environ; *e; e++)
		want += strlen(*e) + 1;
	same = len == want;
	for (char *t = text, **e = environ; same && *e; t += strlen(t) + 1, e++)
		same = strcmp(t, *e) == 0;
	FACT("environ is the environment, NUL-separated", same);

	/* comm, read and written. */
	slurp("/proc/self/comm", &len);
	printf("comm: %s", text);
	int c = open("/proc/self/comm", O_WRONLY);
	write(c, "renamed-process-name\n", 21);
	close(c);
	slurp("/proc/self/comm", &len);
	printf("comm after a write: %s", text);

	/* Links: exe, cwd, fd/N (a file, a pipe), thread-self. */
	mkdir("p", 0755);
	chdir("p");
	printf("exe -> %s\n", link_base("/proc/self/exe"));
	printf("cwd -> %s\n", link_base("/proc/self/cwd"));
	int f = open("file", O_RDWR | O_CREAT | O_TRUNC, 0644);
	write(f, "via the magic link", 18);
	int p[2];
	pipe(p);
	snprintf(path, sizeof path, "/proc/self/fd/%d", f);
	printf("fd/%d -> %s\n", f, link_base(path));
	slurp(path, &len);
	printf("reading fd/%d: %s\n", f, text);
	snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
	printf("fd/%d -> %s\n", p[1], link_base(path));
	int w = open(path, O_WRONLY);
	write(w, "reopened", 8);
	close(w);
	char got[16] = { 0 };
	read(p[0], got, sizeof got - 1);
	printf("a pipe reopened through fd/N carries: %s\n", got);
	struct stat st;
	snprintf(path, sizeof path, "/proc/self/fd/%d", f);
	lstat(path, &st);
	printf("fd link mode %o\n", st.st_mode & 0777);
	/* The descriptors this program has open are listed (a harness may have left others open). */
	int listed_fds = 0;
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	while ((de = readdir(d))) {
		int n = atoi(de->d_name);
		listed_fds += (de->d_name[0] == '0' || n == 1 || n == 2 || n == f || n == p[0] || n == p[1]) &&
			      de->d_type == DT_LNK;
	}
	closedir(d);
	printf("fd/ lists 0, 1, 2 and the three opened here: %d of 6\n", listed_fds);
	snprintf(path, sizeof path, "%d/task/%d", getpid(), getpid());
	char tself[64] = { 0 };
	readlink("/proc/thread-self", tself, sizeof tself - 1);
	FACT("thread-self is <pid>/task/<tid>", strcmp(tself, path) == 0);
	snprintf(path, sizeof path, "/proc/self/task/%d/comm", getpid());
	slurp(path, &len);
	printf("task/<tid>/comm: %s", text);

	/* maps: Linux's line format, the name at column 73. */
	free(malloc(100000));
	char *big = malloc(200);
	(void)big;
	slurp("/proc/self/maps", &len);
	regex_t re;
	regcomp(&re, "^[0-9a-f]{8,}-[0-9a-f]{8,} [r-][w-][x-][ps] [0-9a-f]{8} [0-9a-f]{2}:[0-9a-f]{2} [0-9]+ ", REG_EXTENDED);
	int lines = 0, good = 0, named_at_73 = 1, stack = 0, heap = 0, exe = 0;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		lines++;
		good += regexec(&re, line, 0, NULL, 0) == 0;
		if (strlen(line) > 73 && line[72] == ' ' && line[73] != ' ') {
			stack += strcmp(line + 73, "[stack]") == 0;
			heap += strcmp(line + 73, "[heap]") == 0;
			exe += strcmp(basename(line + 73), "fs_proc") == 0;
		} else if (line[strlen(line) - 1] != ' ')
			named_at_73 = 0;
	}
	FACT("every maps line has the format", lines > 3 && good == lines);
	FACT("names start at column 73", named_at_73);
	printf("maps: [stack] %d, [heap] %d, the program mapped %s\n", stack, heap, exe ? "yes" : "no");

	/* oom_score_adj is writable within [-1000, 1000]; oom_score follows. */
	slurp("/proc/self/oom_score_adj", &len);
	printf("oom_score_adj: %s", text);
	int o = open("/proc/self/oom_score_adj", O_WRONLY);
	TRY("write 500 to oom_score_adj", write(o, "500\n", 4));
	TRY("write 2000 to oom_score_adj", write(o, "2000", 4));
	TRY("write junk to oom_score_adj", write(o, "abc", 3));
	close(o);
	slurp("/proc/self/oom_score_adj", &len);
	printf("oom_score_adj now: %s", text);
	slurp("/proc/self/oom_score", &len);
	FACT("oom_score is at least 333 with adj 500", atoi(text) >= 333 && atoi(text) <= 2000);

	/* A child's directory: there while it is a zombie, gone once it is reaped. */
	pid_t child = fork();
	if (child == 0)
		_exit(3);
	char zs[64];
	snprintf(zs, sizeof zs, "/proc/%d/stat", child);
	for (;;) {
		slurp(zs, &len);
		sscanf(text, "%*d %*s %c", &state);
		if (state == 'Z')
			break;
		sched_yield();
	}
	printf("child before wait: state %c\n", state);
	snprintf(path, sizeof path, "/proc/%d", child);
	int listed = 0;
	d = opendir("/proc");
	while ((de = readdir(d)))
		listed += atoi(de->d_name) == child;
	closedir(d);
	FACT("/proc lists the zombie", listed == 1);
	waitpid(child, NULL, 0);
	TRY("open /proc/<pid>/stat after wait", open(zs, O_RDONLY));
	TRY("stat /proc/<pid> after wait", stat(path, &st));

	/* meminfo: Linux's layout. */
	slurp("/proc/meminfo", &len);
	regcomp(&re, "^MemTotal: +[0-9]+ kB\nMemFree: +[0-9]+ kB\nMemAvailable: +[0-9]+ kB\n", REG_EXTENDED);
	FACT("meminfo starts with MemTotal, MemFree, MemAvailable", regexec(&re, text, 0, NULL, 0) == 0);
	FACT("meminfo labels are 16 columns wide", strncmp(text, "MemTotal:       ", 16) == 0 && isdigit((unsigned char)text[23]));
	return 0;
}
