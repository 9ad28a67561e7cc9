/**
 * The vDSO (arch/riscv/kernel/vdso.c, vdso/rt_sigreturn.S): a small shared object the kernel maps
 * into every program at exec (`arch_setup_additional_pages`) and announces in the auxiliary
 * vector (AT_SYSINFO_EHDR). Linux's holds fast clock functions and the signal trampoline;
 * Forkscope's holds the trampoline a signal handler returns to — `li a7, 139` (rt_sigreturn) then
 * `ecall` — exported as `__vdso_rt_sigreturn`, so a handler's `ret` enters rt_sigreturn exactly as
 * on Linux. The C library finds no clock functions in it and makes the system calls instead.
 *
 * The image is a complete ELF shared object in one page, built here the way Linux builds its own
 * at compile time: the ELF header, a PT_LOAD and a PT_DYNAMIC header, a SysV hash table, the
 * dynamic symbol and string tables, the dynamic section, then the code.
 */
import { encode } from '../../../isa/encode';
import { Op } from '../../../isa/ops';
import { kernel } from '../../kfunc';
import type { mm_struct, vm_special_mapping } from '../../mm/mm_types';
import { get_unmapped_area, install_special_mapping } from '../../mm/mmap';
import { PAGE_KERNEL } from '../../mm/page_alloc';
import { VM_EXEC, VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VM_READ } from '../../mm/vm_flags';

// Where each part sits in the page (all 8-byte aligned).
const PHDRS = 0x40;
const HASH = 0xb0;
const DYNSYM = 0xc8;
const DYNSTR = 0xf8;
const DYNAMIC = 0x120;
const TEXT = 0x190;
const STRINGS = '\0linux-vdso.so.1\0__vdso_rt_sigreturn\0';
const SONAME = 1;
const SYM_NAME = 17;

/** Offset of __vdso_rt_sigreturn in the vDSO page. */
export const VDSO_RT_SIGRETURN_OFFSET = TEXT;

/** The vDSO's bytes. */
export function vdso_image(): Uint8Array {
  const page = new Uint8Array(4096);
  const v = new DataView(page.buffer);
  const u16 = (o: number, x: number) => v.setUint16(o, x, true);
  const u32 = (o: number, x: number) => v.setUint32(o, x, true);
  const u64 = (o: number, x: number) => v.setBigUint64(o, BigInt(x), true);
  // ELF header: a 64-bit little-endian RISC-V ET_DYN (RVC, double-float ABI), no sections.
  page.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  u16(16, 3);
  u16(18, 243);
  u32(20, 1);
  u64(32, PHDRS);
  u32(48, 0x5);
  u16(52, 64);
  u16(54, 56);
  u16(56, 2);
  u16(58, 64);
  // PT_LOAD of the whole page (R+X), and PT_DYNAMIC.
  const phdr = (at: number, type: number, flags: number, off: number, size: number, align: number) => {
    u32(at, type);
    u32(at + 4, flags);
    u64(at + 8, off);
    u64(at + 16, off);
    u64(at + 24, off);
    u64(at + 32, size);
    u64(at + 40, size);
    u64(at + 48, align);
  };
  phdr(PHDRS, 1, 5, 0, 4096, 4096);
  phdr(PHDRS + 56, 2, 4, DYNAMIC, 7 * 16, 8);
  // SysV hash: one bucket holding symbol 1; the chain ends there.
  u32(HASH, 1);
  u32(HASH + 4, 2);
  u32(HASH + 8, 1);
  // .dynsym: the null symbol, then __vdso_rt_sigreturn (global function, 8 bytes).
  u32(DYNSYM + 24, SYM_NAME);
  page[DYNSYM + 24 + 4] = 0x12;
  u16(DYNSYM + 24 + 6, 1);
  u64(DYNSYM + 24 + 8, TEXT);
  u64(DYNSYM + 24 + 16, 8);
  page.set(new TextEncoder().encode(STRINGS), DYNSTR);
  // .dynamic: DT_HASH, DT_STRTAB, DT_SYMTAB, DT_STRSZ, DT_SYMENT, DT_SONAME, DT_NULL.
  [[4, HASH], [5, DYNSTR], [6, DYNSYM], [10, STRINGS.length], [11, 24], [14, SONAME], [0, 0]].forEach(([tag, val], i) => {
    u64(DYNAMIC + i * 16, tag);
    u64(DYNAMIC + i * 16 + 8, val);
  });
  u32(TEXT, encode(Op.ADDI, { rd: 17, rs1: 0, imm: 139 }));
  u32(TEXT + 4, encode(Op.ECALL, {}));
  return page;
}

const specials = new WeakMap<object, vm_special_mapping>();

/** The machine's vDSO page (made once per machine, shared by every process, like Linux's). */
function vdso_mapping(): vm_special_mapping {
  const k = kernel();
  let spec = specials.get(k);
  if (spec === undefined) {
    const pfn = k.pages.alloc_page(PAGE_KERNEL, true);
    if (pfn === 0) throw new Error('no frame for the vDSO at boot');
    k.mem.bytes.set(vdso_image(), pfn * 4096);
    k.mem.wroteFrame(pfn);
    spec = { name: '[vdso]', pages: [pfn] };
    specials.set(k, spec);
  }
  return spec;
}

/** arch_setup_additional_pages: map the vDSO below the mmap base; returns 0 or -errno. */
export function arch_setup_additional_pages(mm: mm_struct): number {
  const spec = vdso_mapping();
  const addr = get_unmapped_area(null, 0, 4096, 0);
  if (addr < 0) return addr;
  const vma = install_special_mapping(mm, addr, 4096, VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC, spec);
  if (typeof vma === 'number') return vma;
  mm.vdso_base = addr;
  return 0;
}
