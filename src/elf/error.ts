/**
 * The only exception the ELF reader throws. Its message is one human sentence without a
 * trailing period ("program header 3 lies outside the file"), so that the kernel can print it
 * as `forkscope: <file>: <message>` and the debugger can show it as is.
 */
export class ElfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ElfError';
  }
}
