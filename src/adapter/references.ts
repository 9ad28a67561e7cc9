/**
 * Memory references: DAP passes them back to us as opaque strings. Guest addresses are per
 * address space, so ours name the task too: `3@0x10a4c` is address 0x10a4c as task 3 sees it.
 * A bare address (typed by the user in the memory view) means the stopped task's.
 */
export function memoryReference(pid: number, address: number): string {
  return `${pid}@0x${address.toString(16)}`;
}

export function parseMemoryReference(ref: string): { pid: number | undefined; address: number } {
  const m = /^\s*(?:(\d+)@)?(0x[0-9a-f]+|\d+)\s*$/i.exec(ref);
  if (m === null) throw new Error(`'${ref}' is not a memory reference (write an address such as 0x10a4c, or pid@0x10a4c)`);
  const address = Number(BigInt(m[2]));
  if (!Number.isSafeInteger(address)) throw new Error(`${m[2]} is not a user-space address`);
  return { pid: m[1] === undefined ? undefined : Number(m[1]), address };
}
