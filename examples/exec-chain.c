/*
 * exec-chain: execve(2) replaces the program, keeps the process.
 *
 * Run without arguments, this program execs itself with a new argv and a new
 * environment (stage 2), which then execs a `#!` script whose first line
 * names this program again as the interpreter (stage 3). Each stage prints
 * what it received. The script, ./exec-chain-script, starts with
 *
 *     #!./exec-chain interpreted
 *
 * so the kernel (binfmt_script) runs ./exec-chain with the argv
 * { "./exec-chain", "interpreted", "./exec-chain-script", <the script's
 * arguments after argv[0]> }.
 *
 * Stage 1 also shows two ways exec fails: a directory cannot be executed
 * (EACCES), and neither can an executable file that is neither an ELF
 * program nor a `#!` script (ENOEXEC; a shell would then run it as a shell
 * script itself).
 *
 * (qemu-user reverses the order of the environment it passes on, so
 * compare with a native build.)
 *
 * Exit status: 0 at the end of the chain; 1 when an exec failed.
 */
#define _GNU_SOURCE /* for strerrorname_np */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void print_arguments(const char *stage, char **argv, char **envp)
{
	for (int i = 0; argv[i] != NULL; i++)
		printf("%s: argv[%d] = \"%s\"\n", stage, i, argv[i]);
	for (int i = 0; envp[i] != NULL; i++)
		printf("%s: envp[%d] = \"%s\"\n", stage, i, envp[i]);
}

/* exec only returns when it failed. */
static void try_exec(const char *path, char **argv, char **envp)
{
	fflush(stdout); /* the new program starts with empty stdio buffers */
	execve(path, argv, envp);
	printf("execve(\"%s\") failed: %s (%s)\n", path, strerrorname_np(errno), strerror(errno));
}

int main(int argc, char **argv, char **envp)
{
	if (argc >= 2 && strcmp(argv[1], "interpreted") == 0) {
		printf("stage 3: started by the kernel as the script's interpreter\n");
		print_arguments("stage 3", argv, envp);
		return 0;
	}

	if (argc >= 2 && strcmp(argv[1], "stage2") == 0) {
		printf("stage 2: same process, new program image\n");
		print_arguments("stage 2", argv, envp);
		char *script_argv[] = { "exec-chain-script", "from stage 2", NULL };
		try_exec("./exec-chain-script", script_argv, envp);
		return 1;
	}

	printf("stage 1: started with %d argument(s) and this environment:\n", argc);
	print_arguments("stage 1", argv, envp);
	char *none[] = { NULL };
	try_exec(".", (char *[]){ ".", NULL }, none);
	try_exec("./exec-chain-bad", (char *[]){ "./exec-chain-bad", NULL }, none);

	char *new_argv[] = { "exec-chain", "stage2", "two words", "", NULL };
	char *new_envp[] = { "COURSE=operating systems", "STAGE=2", "EMPTY=", NULL };
	try_exec("./exec-chain", new_argv, new_envp);
	return 1;
}
