/*
 * crash-ill: an illegal instruction.
 *
 * The 16-bit instruction word 0x0000 is defined to be illegal on RISC-V, and
 * the assembler writes it for `unimp`. The CPU raises an illegal-instruction
 * exception, the kernel turns it into SIGILL, and the default action kills
 * the process: "killed by signal 4", exit status 132 in a shell.
 */
#include <stdio.h>

int main(void)
{
	printf("executing an illegal instruction...\n");
	fflush(stdout); /* the pending output would die with the process */
#if defined(__riscv)
	__asm__ volatile("unimp");
#else
	__builtin_trap(); /* ud2 on x86-64 */
#endif
	printf("not reached\n");
	return 0;
}
