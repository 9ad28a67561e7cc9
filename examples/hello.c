/*
 * hello: the smallest program worth stepping through.
 *
 * Even this one asks the kernel for a lot before main() runs: the C library
 * sets up thread-local storage, reads its auxiliary vector and may call brk.
 * Step into printf() and you reach the write(2) system call at the end.
 */
#include <stdio.h>

int main(void)
{
	printf("Hello from a RISC-V guest!\n");
	return 0;
}
