/* Tries every way out of the root: argv[1] is the host path of a directory outside it. */
#include "check.h"
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static void try_read(const char *label, const char *path)
{
	char buf[64] = { 0 };
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("%-44s %s\n", label, strerrorname_np(errno));
		return;
	}
	read(fd, buf, sizeof buf - 1);
	printf("%-44s read \"%s\"\n", label, buf);
	close(fd);
}

int main(int argc, char **argv)
{
	char path[4096];
	const char *outside = argc > 1 ? argv[1] : "/nonexistent";
	snprintf(path, sizeof path, "%s/secret", outside);
	try_read("the host path itself", path);
	try_read("../outside/secret", "../outside/secret");
	try_read("/../../../../outside/secret", "/../../../../outside/secret");
	symlink(outside, "abs");
	try_read("an absolute link to the host path", "abs/secret");
	symlink("../../../../../../outside", "rel");
	try_read("a relative link climbing out", "rel/secret");
	symlink("/..", "dotdot");
	try_read("a link to /.. then ../outside", "dotdot/../outside/secret");
	int root = open("/", O_RDONLY | O_DIRECTORY);
	try_read("openat(/, ../outside/secret)", "../outside/secret");
	TRY("openat(/, ..) then outside/secret", openat(openat(root, "..", O_RDONLY), "outside/secret", O_RDONLY));
	for (int i = 0; i < 20; i++)
		chdir("..");
	getcwd(path, sizeof path);
	printf("%-44s %s\n", "cwd after 20 chdir(..)", path);
	snprintf(path, sizeof path, "%s/made-by-guest", outside);
	TRY("mkdir at the host path", mkdir(path, 0755));
	TRY("mkdir through the absolute link", mkdir("abs/made-by-guest", 0755));
	TRY("create through the absolute link", open("abs/new", O_CREAT | O_WRONLY, 0644));
	symlink("../outside/dangling", "dangling");
	TRY("create through a dangling relative link", open("dangling", O_CREAT | O_WRONLY, 0644));
	TRY("unlink through the link", unlink("abs/secret"));
	TRY("rename into the outside", rename("dotdot", "../outside/moved"));
	TRY("hard link into the outside", link("abs", "rel/hard"));
	TRY("truncate through the link", truncate("abs/secret", 0));
	TRY("chmod through the link", chmod("abs/secret", 0777));
	TRY("unlink the absolute link itself", unlink("abs"));
	char target[64] = { 0 };
	readlink("rel", target, sizeof target - 1);
	printf("%-44s %s\n", "the relative link still says", target);
	return 0;
}
