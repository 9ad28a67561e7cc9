/**
 * The memory-management system calls and how their register arguments are read.
 *
 * Registers arrive as JS numbers holding the 64-bit value read as signed (syscall.ts): an
 * `unsigned long` argument of -4096 is really 2^64-4096, so lengths and addresses are turned
 * back into unsigned values before Linux's checks run; `int` arguments are their low 32 bits.
 */
import { EBADF, EINVAL, ENODEV, ENOMEM } from '../errno';
import { fget, fput } from '../fs/file';
import { current, kfunc, klocals, type KGen } from '../kfunc';
import type { SyscallEntry } from '../syscall';
import { do_madvise } from './madvise';
import { sys_mincore } from './mincore';
import { do_vmi_munmap, type mmap_file, sys_brk, vm_mmap_pgoff } from './mmap';
import { do_mprotect_pkey } from './mprotect';
import { do_mremap } from './mremap';
import { sys_msync } from './msync';
import { MAP_ANONYMOUS, MAP_HUGETLB } from './vm_flags';

/** An `unsigned long` argument. */
function ulong(x: number): number {
  return x < 0 ? x + 2 ** 64 : x;
}

/** An `int` argument. */
function int(x: number): number {
  return x | 0;
}

/**
 * A flags or protection argument: its low 32 bits, with one unknown bit added if any higher bit
 * was set — so the call refuses it where Linux would see the high bits.
 */
function flags32(x: number, unknown: number): number {
  const u = ulong(x);
  return u >= 2 ** 32 ? ((u % 2 ** 32) | unknown) >>> 0 : u;
}

/**
 * sys_mmap (arch/riscv/kernel/sys_riscv.c) → ksys_mmap_pgoff (mm/mmap.c): the offset must be
 * page-aligned; a file mapping needs an open descriptor (EBADF) whose file can be mapped
 * (ENODEV); MAP_HUGETLB cannot be satisfied (there are no huge pages).
 */
const sys_mmap = kfunc('arch/riscv/kernel/sys_riscv.c', function* sys_mmap(addr: number, len: number, prot: number, flags: number,
  fd: number, offset: number): KGen<number> {
  klocals({ addr: '0x' + addr.toString(16), len, prot, flags: '0x' + flags.toString(16), fd, offset });
  if (((offset % 4096) + 4096) % 4096 !== 0) return -EINVAL;
  const pgoff = ulong(Math.floor(offset / 4096));
  if ((flags & MAP_ANONYMOUS) !== 0) {
    if ((flags & MAP_HUGETLB) !== 0) return -ENOMEM;
    return yield* vm_mmap_pgoff(null, addr, len, prot, flags, pgoff);
  }
  const f = fget(fd);
  if (f === null) return -EBADF;
  try {
    if ((flags & MAP_HUGETLB) !== 0) return -EINVAL;
    const file: mmap_file = { f_mode: f.f_mode, mapping: f.f_op.mmap === undefined ? -ENODEV : f.f_op.mmap(f) };
    return yield* vm_mmap_pgoff(file, addr, len, prot, flags, pgoff);
  } finally {
    fput(f);
  }
});

/** munmap(addr, len) (__vm_munmap). */
const sys_munmap = kfunc('mm/mmap.c', function* sys_munmap(addr: number, len: number): KGen<number> {
  return yield* do_vmi_munmap(current().mm!, addr, len);
});

export const mm_syscalls: SyscallEntry[] = [
  { nr: 214, name: 'brk', fn: (a0) => sys_brk(ulong(a0)), args: [['brk', 'hex']] },
  { nr: 215, name: 'munmap', fn: (a0, a1) => sys_munmap(ulong(a0), ulong(a1)), args: [['addr', 'hex'], ['len', 'int']] },
  {
    nr: 216, name: 'mremap',
    fn: (a0, a1, a2, a3, a4) => do_mremap(current().mm!, ulong(a0), ulong(a1), ulong(a2), flags32(a3, 0x8), ulong(a4)),
    args: [['addr', 'hex'], ['old_len', 'int'], ['new_len', 'int'], ['flags', 'hex'], ['new_addr', 'hex']],
  },
  {
    nr: 222, name: 'mmap',
    fn: (a0, a1, a2, a3, a4, a5) => sys_mmap(ulong(a0), ulong(a1), flags32(a2, 0), flags32(a3, 0x200000), int(a4), a5),
    args: [['addr', 'hex'], ['len', 'int'], ['prot', 'hex'], ['flags', 'hex'], ['fd', 'int'], ['off', 'hex']],
  },
  {
    nr: 226, name: 'mprotect', fn: (a0, a1, a2) => do_mprotect_pkey(current().mm!, ulong(a0), ulong(a1), flags32(a2, 0x10)),
    args: [['start', 'hex'], ['len', 'int'], ['prot', 'hex']],
  },
  { nr: 227, name: 'msync', fn: (a0, a1, a2) => sys_msync(ulong(a0), ulong(a1), int(a2)), args: [['start', 'hex'], ['len', 'int'], ['flags', 'hex']] },
  { nr: 232, name: 'mincore', fn: (a0, a1, a2) => sys_mincore(ulong(a0), ulong(a1), ulong(a2)), args: [['start', 'hex'], ['len', 'int'], ['vec', 'ptr']] },
  {
    nr: 233, name: 'madvise', fn: (a0, a1, a2) => do_madvise(current().mm!, ulong(a0), ulong(a1), int(a2)),
    args: [['start', 'hex'], ['len_in', 'int'], ['behavior', 'int']],
  },
];
