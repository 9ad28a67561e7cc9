/**
 * Loading ELF programs (fs/binfmt_elf.c: load_elf_binary, load_elf_interp, create_elf_tables).
 *
 * Checks the file (and its interpreter, ld.so, for a dynamic program) while the old program can
 * still get an error back; then passes the point of no return (`begin_new_exec`), places the
 * stack, maps each PT_LOAD segment from the file with its permissions, makes the bss, maps the
 * interpreter, writes argc/argv/envp/auxv on the stack (`create_elf_tables`) and sets the
 * registers (`start_thread`). Addresses are Linux's with address-space randomisation off (as a
 * debugger runs programs): a PIE at ELF_ET_DYN_BASE, the stack at the top of user space.
 */
import { REG_SP } from '../cpu/state';
import { USER_VA_END } from '../cpu/sv39';
import { ElfError, parseElf, validateForExec, type ElfFile, type ProgramHeader, ET_DYN, PT_GNU_STACK, PT_LOAD, PT_PHDR, PF_R, PF_W, PF_X } from '../elf';
import { arch_setup_additional_pages } from './arch/riscv/vdso';
import type { linux_binprm } from './binfmts';
import { EINVAL, ELIBBAD, ENOEXEC } from './errno';
import { begin_new_exec, setup_arg_pages, STACK_TOP_MAX } from './exec';
import { open_exec } from './fs/kernel_read_file';
import { current, kfunc, klocals, type KGen } from './kfunc';
import { arch_pick_mmap_layout, TASK_SIZE, vm_brk_flags, vm_mmap } from './mm/mmap';
import type { MappedFile, mm_struct } from './mm/mm_types';
import { VM_EXEC } from './mm/vm_flags';
import { clear_user, copy_to_user } from './mm/uaccess';
import { get_random_bytes } from './random';
import { RLIMIT_STACK } from './signal_types';

const PAGE = 4096;
const PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
const MAP_PRIVATE = 0x02, MAP_FIXED = 0x10, MAP_FIXED_NOREPLACE = 0x100000, MAP_DENYWRITE = 0x0800;
/** riscv64 with Sv39: two thirds of the 256 GiB user space (DEFAULT_MAP_WINDOW / 3 * 2). */
export const ELF_ET_DYN_BASE = Math.floor((USER_VA_END / 3) * 2 / PAGE) * PAGE;
/** The riscv64 ELF_HWCAP for RV64IMAFDC: the letters I, M, A, F, D, C as bits. */
export const ELF_HWCAP = (1 << 8) | (1 << 12) | (1 << 0) | (1 << 5) | (1 << 3) | (1 << 2);

// auxv types (include/uapi/linux/auxvec.h, arch/riscv/include/uapi/asm/auxvec.h).
export const AT_NULL = 0, AT_IGNORE = 1, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
  AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14, AT_HWCAP = 16, AT_CLKTCK = 17,
  AT_SECURE = 23, AT_RANDOM = 25, AT_RSEQ_FEATURE_SIZE = 27, AT_RSEQ_ALIGN = 28, AT_EXECFN = 31,
  AT_SYSINFO_EHDR = 33, AT_L1I_CACHESIZE = 40, AT_L1I_CACHEGEOMETRY = 41, AT_L1D_CACHESIZE = 42,
  AT_L1D_CACHEGEOMETRY = 43, AT_L2_CACHESIZE = 44, AT_L2_CACHEGEOMETRY = 45, AT_L3_CACHESIZE = 46,
  AT_L3_CACHEGEOMETRY = 47, AT_MINSIGSTKSZ = 51;
/** sizeof(struct rt_sigframe) + the end marker, rounded to 16 (get_rt_sigframe_size). */
const MINSIGSTKSZ_RISCV = 1104;

function make_prot(p_flags: number): number {
  return ((p_flags & PF_R) !== 0 ? PROT_READ : 0) | ((p_flags & PF_W) !== 0 ? PROT_WRITE : 0) | ((p_flags & PF_X) !== 0 ? PROT_EXEC : 0);
}

function parse(bprm: linux_binprm, bytes: Uint8Array, what: string): ElfFile | number {
  let elf: ElfFile;
  try {
    elf = parseElf(bytes);
  } catch (e) {
    if (!(e instanceof ElfError)) throw e;
    bprm.error_message = `${what}: ${e.message}`;
    return -ENOEXEC;
  }
  const why = validateForExec(elf);
  if (why !== undefined) {
    bprm.error_message = `${what}: ${why}`;
    return -ENOEXEC;
  }
  return elf;
}

/** Total span of the PT_LOAD segments (total_mapping_size), page-aligned. */
function total_mapping_size(loads: ElfFile['programHeaders']): number {
  const first = loads[0];
  const last = loads[loads.length - 1];
  return Math.ceil((last.p_vaddr + last.p_memsz) / PAGE) * PAGE - Math.floor(first.p_vaddr / PAGE) * PAGE;
}

/** What a program's segments span once loaded (for mm->start_code … and brk). */
interface elf_layout {
  brk: number;
  start_code: number;
  end_code: number;
  start_data: number;
  end_data: number;
}

/**
 * elf_load: map one PT_LOAD segment from the file (elf_map → vm_mmap, MAP_PRIVATE) with its
 * permissions; the part of p_memsz beyond p_filesz is the bss — the rest of the last file page is
 * zeroed (padzero) and whole pages of it are anonymous memory (vm_brk_flags). 0 or -errno.
 */
const elf_load = kfunc('fs/binfmt_elf.c', function* elf_load(file: MappedFile, ph: ProgramHeader, load_bias: number, flags: number): KGen<number> {
  const prot = make_prot(ph.p_flags);
  const vaddr = load_bias + ph.p_vaddr;
  const pageStart = Math.floor(vaddr / PAGE) * PAGE;
  const off = ph.p_offset - (vaddr - pageStart);
  const fileEnd = vaddr + ph.p_filesz;
  const memEnd = vaddr + ph.p_memsz;
  klocals({ p_vaddr: '0x' + vaddr.toString(16), p_filesz: ph.p_filesz, p_memsz: ph.p_memsz, prot });
  if (ph.p_filesz > 0) {
    const len = Math.ceil(fileEnd / PAGE) * PAGE - pageStart;
    const r = yield* vm_mmap(file, pageStart, len, prot, flags, off);
    if (r < 0) return r;
    if (r !== pageStart) return -EINVAL;
  }
  if (ph.p_memsz > ph.p_filesz) {
    const fileEndPage = Math.ceil(fileEnd / PAGE) * PAGE;
    if (ph.p_filesz > 0 && fileEnd < fileEndPage && (prot & PROT_WRITE) !== 0) {
      const r = yield* clear_user(fileEnd, fileEndPage - fileEnd);
      if (r !== 0) return -EINVAL;
    }
    const bssStart = ph.p_filesz > 0 ? fileEndPage : pageStart;
    const bssEnd = Math.ceil(memEnd / PAGE) * PAGE;
    if (bssEnd > bssStart) {
      // The bss is anonymous memory; only VM_EXEC may be asked for (vm_brk_flags' rule).
      const r = yield* vm_brk_flags(bssStart, bssEnd - bssStart, (prot & PROT_EXEC) !== 0 ? VM_EXEC : 0);
      if (r < 0) return r;
    }
  }
  return 0;
});

/**
 * load_elf_binary's PT_LOAD loop: every segment at `load_bias` (the first one MAP_FIXED_NOREPLACE
 * for the program itself, so it cannot land on something already mapped); returns the layout.
 */
function* load_segments(elf: ElfFile, file: MappedFile, load_bias: number, first_noreplace: boolean): KGen<elf_layout | number> {
  const loads = elf.programHeaders.filter((ph) => ph.p_type === PT_LOAD);
  const out: elf_layout = { brk: 0, start_code: Infinity, end_code: 0, start_data: 0, end_data: 0 };
  for (let i = 0; i < loads.length; i++) {
    const ph = loads[i];
    const flags = MAP_PRIVATE | MAP_DENYWRITE | (i === 0 && first_noreplace ? MAP_FIXED_NOREPLACE : MAP_FIXED);
    const r = yield* elf_load(file, ph, load_bias, flags);
    if (r < 0) return r;
    const vaddr = load_bias + ph.p_vaddr;
    const fileEnd = vaddr + ph.p_filesz;
    if ((ph.p_flags & PF_X) !== 0) {
      out.start_code = Math.min(out.start_code, vaddr);
      out.end_code = Math.max(out.end_code, fileEnd);
    }
    if (out.start_data === 0 || vaddr > out.start_data) out.start_data = vaddr;
    out.end_data = Math.max(out.end_data, fileEnd);
    out.brk = Math.max(out.brk, vaddr + ph.p_memsz);
  }
  if (out.start_code === Infinity) out.start_code = 0;
  return out;
}

/** load_elf_interp: map ld.so anywhere (as a PIE); returns its load base. */
const load_elf_interp = kfunc('fs/binfmt_elf.c', function* load_elf_interp(interp: ElfFile, file: MappedFile): KGen<number> {
  const loads = interp.programHeaders.filter((ph) => ph.p_type === PT_LOAD);
  const size = total_mapping_size(loads);
  // Reserve the whole span first so the segments land together (elf_map's total_size trick).
  const base = yield* vm_mmap(null, 0, size, PROT_READ, MAP_PRIVATE | 0x20, 0);
  if (base < 0) return base;
  const bias = base - Math.floor(loads[0].p_vaddr / PAGE) * PAGE;
  const r = yield* load_segments(interp, file, bias, false);
  if (typeof r === 'number') return r;
  return bias;
});

/** create_elf_tables: argc, argv[], envp[], auxv and AT_RANDOM's bytes, as Linux lays them out. */
const create_elf_tables = kfunc('fs/binfmt_elf.c', function* create_elf_tables(bprm: linux_binprm, elf: ElfFile, interp_load_addr: number, e_entry: number, phdr_addr: number): KGen<number> {
  const mm = current().mm!;
  let p = bprm.p;
  // 16 random bytes for AT_RANDOM (stack protector and pointer guard seeds).
  const random = new Uint8Array(16);
  get_random_bytes(random);
  p -= 16;
  const u_rand_bytes = p;
  if ((yield* copy_to_user(u_rand_bytes, random)) !== 0) return -EINVAL;
  const vdso = current().mm!.vdso_base;
  const auxv: number[] = [
    ...(vdso !== 0 ? [AT_SYSINFO_EHDR, vdso] : []),
    AT_L1I_CACHESIZE, 0, AT_L1I_CACHEGEOMETRY, 0, AT_L1D_CACHESIZE, 0, AT_L1D_CACHEGEOMETRY, 0,
    AT_L2_CACHESIZE, 0, AT_L2_CACHEGEOMETRY, 0, AT_L3_CACHESIZE, 0, AT_L3_CACHEGEOMETRY, 0,
    AT_MINSIGSTKSZ, MINSIGSTKSZ_RISCV,
    AT_HWCAP, ELF_HWCAP, AT_PAGESZ, PAGE, AT_CLKTCK, 100,
    AT_PHDR, phdr_addr, AT_PHENT, 56, AT_PHNUM, elf.programHeaders.length,
    AT_BASE, interp_load_addr, AT_FLAGS, 0, AT_ENTRY, e_entry,
    AT_UID, 0, AT_EUID, 0, AT_GID, 0, AT_EGID, 0, AT_SECURE, 0,
    AT_RANDOM, u_rand_bytes, AT_EXECFN, bprm.exec,
    AT_RSEQ_FEATURE_SIZE, 28, AT_RSEQ_ALIGN, 32,
    AT_NULL, 0,
  ];
  const items = 1 + (bprm.argc + 1) + (bprm.envc + 1) + auxv.length;
  const sp = Math.floor((p - items * 8) / 16) * 16;
  const table = new Uint8Array(items * 8);
  const v = new DataView(table.buffer);
  let o = 0;
  const put = (x: number) => { v.setBigUint64(o, BigInt(x), true); o += 8; };
  put(bprm.argc);
  // The strings sit above, in order argv then envp (copied downward, so argv[0] is lowest).
  let s = bprm.p;
  mm.arg_start = s;
  const enc = new TextEncoder();
  for (const a of bprm.argv) { put(s); s += enc.encode(a).length + 1; }
  put(0);
  mm.arg_end = mm.env_start = s;
  for (const e of bprm.envp) { put(s); s += enc.encode(e).length + 1; }
  put(0);
  mm.env_end = s;
  for (const x of auxv) put(x);
  mm.saved_auxv = auxv;
  if ((yield* copy_to_user(sp, table)) !== 0) return -EINVAL;
  bprm.p = sp;
  return 0;
});

/** load_elf_binary: the ELF handler of search_binary_handler. */
export const load_elf_binary = kfunc('fs/binfmt_elf.c', function* load_elf_binary(bprm: linux_binprm): KGen<number> {
  const buf = bprm.buf;
  if (buf.length < 4 || buf[0] !== 0x7f || buf[1] !== 0x45 || buf[2] !== 0x4c || buf[3] !== 0x46) return -ENOEXEC;
  const parsed = parse(bprm, bprm.file.bytes, bprm.file.path);
  if (typeof parsed === 'number') return parsed;
  const elf = parsed;
  klocals({ e_type: elf.header.e_type === ET_DYN ? 'ET_DYN' : 'ET_EXEC', e_entry: '0x' + elf.header.e_entry.toString(16), interpreter: elf.interpreter ?? null });
  let interp: ElfFile | null = null;
  let interpFile = null;
  if (elf.interpreter !== undefined) {
    const f = yield* open_exec(elf.interpreter);
    if (typeof f === 'number') return f;
    const ip = parse(bprm, f.bytes, elf.interpreter);
    if (typeof ip === 'number') return ip === -ENOEXEC ? -ELIBBAD : ip;
    interp = ip;
    interpFile = f;
  }
  const gnuStack = elf.programHeaders.find((ph) => ph.p_type === PT_GNU_STACK);
  const executable_stack = gnuStack !== undefined && (gnuStack.p_flags & PF_X) !== 0;
  // The point of no return.
  let r = yield* begin_new_exec(bprm);
  if (r < 0) return r;
  const t = current();
  const mm = t.mm!;
  yield* setup_new_exec(mm);
  r = yield* setup_arg_pages(bprm, STACK_TOP_MAX, executable_stack);
  if (r < 0) return r;
  const loads = elf.programHeaders.filter((ph) => ph.p_type === PT_LOAD);
  const load_bias = elf.header.e_type === ET_DYN ? ELF_ET_DYN_BASE - Math.floor(loads[0].p_vaddr / PAGE) * PAGE : 0;
  const seg = yield* load_segments(elf, bprm.file.mapped, load_bias, true);
  if (typeof seg === 'number') return seg;
  mm.start_code = seg.start_code;
  mm.end_code = seg.end_code;
  mm.start_data = seg.start_data;
  mm.end_data = seg.end_data;
  mm.start_brk = mm.brk = Math.ceil(seg.brk / PAGE) * PAGE;
  let entry = load_bias + elf.header.e_entry;
  let interp_load_addr = 0;
  if (interp !== null && interpFile !== null) {
    const base = yield* load_elf_interp(interp, interpFile.mapped);
    if (base < 0) return base;
    interp_load_addr = base + Math.floor(interp.programHeaders.find((ph) => ph.p_type === PT_LOAD)!.p_vaddr / PAGE) * PAGE;
    entry = base + interp.header.e_entry;
  }
  r = arch_setup_additional_pages(mm);
  if (r < 0) return r;
  // AT_PHDR: PT_PHDR's address, or where the headers fall inside the first segment.
  const phdrSeg = elf.programHeaders.find((ph) => ph.p_type === PT_PHDR);
  const phdr_addr = phdrSeg !== undefined ? load_bias + phdrSeg.p_vaddr : load_bias + loads[0].p_vaddr - loads[0].p_offset + elf.header.e_phoff;
  r = yield* create_elf_tables(bprm, elf, interp_load_addr, load_bias + elf.header.e_entry, phdr_addr);
  if (r < 0) return r;
  mm.start_stack = bprm.p;
  mm.exe_file = bprm.file.mapped;
  yield* start_thread(entry, bprm.p);
  return 0;
});

/** setup_new_exec (fs/exec.c): the new program's mmap layout and address-space size. */
const setup_new_exec = kfunc('fs/exec.c', function* setup_new_exec(mm: mm_struct): KGen<void> {
  arch_pick_mmap_layout(mm, current().signal!.rlim[RLIMIT_STACK]?.rlim_cur ?? 8 * 1024 * 1024);
  mm.task_size = TASK_SIZE;
  klocals({ mmap_base: '0x' + mm.mmap_base.toString(16) });
});

/** start_thread (arch/riscv/kernel/process.c): user mode at the entry point, every register 0 but sp. */
const start_thread = kfunc('arch/riscv/kernel/process.c', function* start_thread(pc: number, sp: number): KGen<void> {
  const regs = current().regs;
  regs.x.fill(0);
  regs.setRegNum(REG_SP, sp);
  regs.pc = pc;
  klocals({ pc: '0x' + pc.toString(16), sp: '0x' + sp.toString(16) });
});
