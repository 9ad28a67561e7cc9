/*
 * exec-args: what execve(2) leaves on the new program's stack.
 *
 * The kernel (create_elf_tables in fs/binfmt_elf.c) builds the initial stack
 * from high to low addresses: the argument and environment strings, 16 random
 * bytes, then the auxiliary vector, envp[], argv[] and finally argc, which is
 * where the stack pointer points when _start runs. This program checks that
 * layout from main() and prints the facts; it never prints an address, since
 * addresses change from run to run.
 *
 * Try: ./exec-args one "two words" ""
 * Exit status: the number of checks that failed (0 on Linux).
 */
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>

/* The linker defines these: our own ELF header (mapped by the first PT_LOAD)
 * and the entry point. */
extern const ElfW(Ehdr) __ehdr_start;
extern char _start[];

static int failures;

/* Print one fact and remember when it does not hold. */
static void check(const char *what, int holds)
{
	printf("%-58s %s\n", what, holds ? "yes" : "NO");
	if (!holds)
		failures++;
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(int argc, char **argv, char **envp)
{
	/* The arguments, exactly as execve received them. */
	printf("argc = %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d] = \"%s\"\n", i, argv[i]);

	/* The environment. Print it sorted: its order is the caller's business. */
	int envc = 0;
	while (envp[envc] != NULL)
		envc++;
	char **sorted = malloc((envc + 1) * sizeof(char *));
	memcpy(sorted, envp, (envc + 1) * sizeof(char *));
	qsort(sorted, envc, sizeof(char *), compare_strings);
	printf("environment: %d strings\n", envc);
	for (int i = 0; i < envc; i++)
		printf("  %s\n", sorted[i]);
	free(sorted);

	/* The pointer arrays sit right above argc, one after the other. */
	long *initial_sp = (long *)argv - 1;
	check("argc sits just below argv[0] (the initial sp)", *initial_sp == argc);
	check("initial stack pointer is 16-byte aligned", (uintptr_t)initial_sp % 16 == 0);
	check("argv[argc] is NULL", argv[argc] == NULL);
	check("envp starts right after argv's NULL", envp == argv + argc + 1);

	/* RISC-V's frame pointer is the stack pointer main() was called with. */
	check("sp at the call of main() is 16-byte aligned",
	      (uintptr_t)__builtin_frame_address(0) % 16 == 0);

	/* The strings themselves are packed: argv strings, then envp strings. */
	int packed = 1;
	for (int i = 0; i + 1 < argc; i++)
		packed &= argv[i + 1] == argv[i] + strlen(argv[i]) + 1;
	check("argv strings are contiguous", packed);
	if (envc > 0) {
		packed = envp[0] == argv[argc - 1] + strlen(argv[argc - 1]) + 1;
		for (int i = 0; i + 1 < envc; i++)
			packed &= envp[i + 1] == envp[i] + strlen(envp[i]) + 1;
		check("envp strings follow the argv strings contiguously", packed);
	}

	/* The auxiliary vector starts after envp's NULL. */
	ElfW(auxv_t) *auxv = (ElfW(auxv_t) *)(envp + envc + 1);
	int entries = 0;
	while (auxv[entries].a_type != AT_NULL)
		entries++;
	check("auxv follows envp and ends with AT_NULL", entries > 0);
	check("getauxval reads the same vector", auxv[0].a_un.a_val == getauxval(auxv[0].a_type));

	/* Facts a portable program can rely on. */
	printf("AT_PAGESZ = %lu\n", getauxval(AT_PAGESZ));
	printf("AT_PHENT = %lu (sizeof(Elf64_Phdr) = %zu)\n", getauxval(AT_PHENT), sizeof(ElfW(Phdr)));
	check("AT_PHNUM equals our ELF header's e_phnum",
	      getauxval(AT_PHNUM) == __ehdr_start.e_phnum);
	check("AT_PHDR points at our program headers",
	      getauxval(AT_PHDR) == (uintptr_t)&__ehdr_start + __ehdr_start.e_phoff);
	check("AT_ENTRY is the address of _start", getauxval(AT_ENTRY) == (uintptr_t)_start);
	check("AT_BASE is 0: no dynamic loader for a static program", getauxval(AT_BASE) == 0);
	check("AT_UID/AT_EUID/AT_GID/AT_EGID match getuid() and friends",
	      getauxval(AT_UID) == getuid() && getauxval(AT_EUID) == geteuid() &&
	      getauxval(AT_GID) == getgid() && getauxval(AT_EGID) == getegid());
	check("AT_SECURE is 0 (not setuid)", getauxval(AT_SECURE) == 0);
	printf("AT_CLKTCK = %lu\n", getauxval(AT_CLKTCK));

	/* AT_RANDOM: 16 bytes the C library uses for its stack protector canary. */
	const unsigned char *random_bytes = (const unsigned char *)getauxval(AT_RANDOM);
	check("AT_RANDOM is present", random_bytes != NULL);
	if (random_bytes != NULL) {
		int nonzero = 0;
		for (int i = 0; i < 16; i++)
			nonzero |= random_bytes[i];
		check("its 16 bytes are readable and not all zero", nonzero != 0);
		check("they lie between the auxv and the strings",
		      (uintptr_t)random_bytes > (uintptr_t)(auxv + entries) &&
		      (uintptr_t)random_bytes + 16 <= (uintptr_t)argv[0]);
	}

	/* AT_EXECFN: the path the program was started with. */
	const char *execfn = (const char *)getauxval(AT_EXECFN);
	printf("AT_EXECFN = \"%s\"\n", execfn != NULL ? execfn : "(none)");

	/* AT_HWCAP: one bit per single-letter ISA extension ('a' is bit 0). */
	unsigned long hwcap = getauxval(AT_HWCAP);
	printf("AT_HWCAP extensions: ");
	for (int bit = 0; bit < 26; bit++)
		if (hwcap & (1UL << bit))
			putchar('a' + bit);
	putchar('\n');

	printf("%d check(s) failed\n", failures);
	return failures;
}
