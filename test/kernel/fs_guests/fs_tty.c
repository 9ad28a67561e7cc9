/* The console as a terminal or as a pipe: what glibc and a program can learn about it. */
#include "check.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

int main(void)
{
	struct stat st;
	struct termios t;
	struct winsize ws = { 0 };
	char link[64] = { 0 };
	for (int fd = 0; fd < 3; fd++) {
		fstat(fd, &st);
		readlink(fd == 0 ? "/proc/self/fd/0" : fd == 1 ? "/proc/self/fd/1" : "/proc/self/fd/2", link, sizeof link - 1);
		printf("fd %d: isatty %d, %s, blksize %ld, F_GETFL 0x%x, %s\n", fd, isatty(fd),
		       S_ISCHR(st.st_mode) ? "char device" : S_ISFIFO(st.st_mode) ? "fifo" : "other",
		       (long)st.st_blksize, fcntl(fd, F_GETFL), strncmp(link, "pipe:[", 6) == 0 ? "pipe:[…]" : link);
	}
	TRY("tcgetattr(1)", tcgetattr(1, &t));
	if (isatty(1))
		printf("ICANON %d ECHO %d ISIG %d VINTR %d VEOF %d VMIN %d\n", !!(t.c_lflag & ICANON), !!(t.c_lflag & ECHO),
		       !!(t.c_lflag & ISIG), t.c_cc[VINTR], t.c_cc[VEOF], t.c_cc[VMIN]);
	TRY("tcsetattr(1)", tcsetattr(1, TCSANOW, &t));
	TRY("TIOCGWINSZ", ioctl(1, TIOCGWINSZ, &ws));
	printf("window %d rows, %d columns\n", ws.ws_row, ws.ws_col);
	TRY("TCGETS into NULL", ioctl(1, TCGETS, NULL));
	int tty = open("/dev/tty", O_RDWR);
	printf("%-44s %s\n", "open /dev/tty", tty < 0 ? strerrorname_np(errno) : "ok");
	if (tty >= 0)
		write(tty, "through /dev/tty\n", 17);
	fflush(stdout);
	int out = open("/dev/stdout", O_WRONLY);
	printf("%-44s %s\n", "open /dev/stdout", out < 0 ? strerrorname_np(errno) : "ok");
	fflush(stdout);
	if (out >= 0)
		write(out, "through /dev/stdout\n", 20);
	char line[32] = { 0 };
	ssize_t n = read(0, line, sizeof line - 1);
	printf("read from stdin: %zd \"%s\"\n", n, line);
	return 0;
}
