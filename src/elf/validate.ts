import { hex } from './bytes';
import {
  ELF64_PHDR_SIZE, ELF_PAGE_SIZE, ET_CORE, ET_DYN, ET_EXEC, ET_REL, PT_INTERP, PT_LOAD,
} from './constants';
import type { ElfFile } from './parse';
import type { ProgramHeader } from './types';

/** Linux's PATH_MAX: the longest PT_INTERP (NUL included) load_elf_binary accepts. */
const PATH_MAX = 4096;
/** load_elf_phdrs refuses a program header table larger than this. */
const MAX_PHDR_TABLE = 65536;
/** TASK_SIZE on RV64 with Sv39 page tables: user addresses are below 2^38. */
const TASK_SIZE = 0x4000000000;

/**
 * Why Linux's execve would refuse this file, as one sentence, or undefined if it would load it.
 * It follows load_elf_binary (fs/binfmt_elf.c) and the helpers it calls, in their order:
 * the ELF type, load_elf_phdrs' limits on the program header table, the PT_INTERP path, then
 * the PT_LOAD segments (sizes, page congruence, the user address space) and the entry point.
 * elf_check_arch (RISC-V, 64-bit) needs no check here: parseElf already refuses anything else.
 *
 * Three rules are Forkscope's, stricter than Linux, because the files they reject are broken and
 * the loader is simpler without them: PT_LOAD segments must be in ascending address order and
 * must not overlap (the gABI requires it; Linux would let a later mapping cover an earlier
 * one), there must be at least one PT_LOAD, and there must be only one PT_INTERP (Linux uses
 * the first and ignores the others).
 *
 * This is loader policy, not parsing: the debugger can still open a file that fails here.
 */
export function validateForExec(elf: ElfFile): string | undefined {
  const h = elf.header;
  if (h.e_type !== ET_EXEC && h.e_type !== ET_DYN) return notExecutable(h.e_type);

  // load_elf_phdrs reads exactly e_phnum entries of exactly sizeof(Elf64_Phdr) bytes.
  if (h.e_phentsize !== ELF64_PHDR_SIZE) {
    return `the program header entry size (e_phentsize) is ${h.e_phentsize}, but Linux requires ${ELF64_PHDR_SIZE}`;
  }
  const tableSize = h.e_phnum * h.e_phentsize;
  if (tableSize === 0) return 'the file has no program headers, so there is nothing to load';
  if (tableSize > MAX_PHDR_TABLE) {
    return `the program header table is ${tableSize} bytes, more than Linux's limit of 64 KiB`;
  }

  const interps = elf.programHeaders.filter((ph) => ph.p_type === PT_INTERP);
  if (interps.length > 1) return `the file has ${interps.length} PT_INTERP segments; a program names one interpreter`;
  if (interps.length === 1) {
    const why = checkInterpreter(elf, interps[0]);
    if (why !== undefined) return why;
  }

  const loads = elf.programHeaders.filter((ph) => ph.p_type === PT_LOAD);
  if (loads.length === 0) return 'the file has no PT_LOAD segment, so there is nothing to load';
  for (let i = 0; i < loads.length; i++) {
    const why = checkLoad(loads[i], i > 0 ? loads[i - 1] : undefined, h.e_type);
    if (why !== undefined) return why;
  }
  if (h.e_type === ET_DYN) {
    // A PIE is placed as one block, so it is the span of all its segments that must fit.
    const first = loads[0];
    const last = loads[loads.length - 1];
    const span = last.p_vaddr + last.p_memsz - (first.p_vaddr - (first.p_vaddr % ELF_PAGE_SIZE));
    if (span > TASK_SIZE) {
      return `the PT_LOAD segments span ${hex(span)} bytes, more than the user address space (${hex(TASK_SIZE)})`;
    }
  }
  if (h.e_entry >= TASK_SIZE) {
    return `the entry point ${hex(h.e_entry)} is outside the user address space (below ${hex(TASK_SIZE)})`;
  }
  return undefined;
}

function notExecutable(e_type: number): string {
  switch (e_type) {
    case ET_REL: return 'this is a relocatable object file (ET_REL), not an executable; link it first';
    case ET_CORE: return 'this is a core dump (ET_CORE), not an executable';
    default: return `ELF type ${e_type} is not executable; Linux runs ET_EXEC and ET_DYN files`;
  }
}

/** load_elf_binary's rules for the PT_INTERP path, plus the empty path open_exec would fail. */
function checkInterpreter(elf: ElfFile, ph: ProgramHeader): string | undefined {
  const where = `program header ${ph.index} (INTERP)`;
  if (ph.p_filesz > PATH_MAX) {
    return `the interpreter path in ${where} is ${ph.p_filesz} bytes, longer than PATH_MAX (${PATH_MAX})`;
  }
  const path = elf.segmentData(ph);
  if (ph.p_filesz < 2 || path[0] === 0) return `the interpreter path in ${where} is empty`;
  if (path[path.length - 1] !== 0) return `the interpreter path in ${where} is not NUL-terminated`;
  return undefined;
}

function checkLoad(ph: ProgramHeader, previous: ProgramHeader | undefined, e_type: number): string | undefined {
  const where = `program header ${ph.index} (LOAD)`;
  if (ph.p_filesz > ph.p_memsz) {
    return `${where} has p_filesz ${hex(ph.p_filesz)} larger than p_memsz ${hex(ph.p_memsz)}`;
  }
  // mmap maps whole pages, so the file offset and the address must sit at the same place in
  // their pages; otherwise the offset handed to mmap is not page-aligned and mmap fails.
  if ((ph.p_offset - ph.p_vaddr) % ELF_PAGE_SIZE !== 0) {
    return `${where} has p_offset ${hex(ph.p_offset)} and p_vaddr ${hex(ph.p_vaddr)}, which differ modulo the page size (${ELF_PAGE_SIZE})`;
  }
  if (previous !== undefined) {
    if (ph.p_vaddr < previous.p_vaddr) {
      return `the PT_LOAD segments are not in ascending address order: ${where} at ${hex(ph.p_vaddr)} follows one at ${hex(previous.p_vaddr)}`;
    }
    const previousEnd = previous.p_vaddr + previous.p_memsz;
    if (ph.p_vaddr < previousEnd) {
      return `${where} at ${hex(ph.p_vaddr)} overlaps the PT_LOAD segment before it, which ends at ${hex(previousEnd)}`;
    }
  }
  if (e_type === ET_EXEC && ph.p_vaddr + ph.p_memsz > TASK_SIZE) {
    return `${where} ends at ${hex(ph.p_vaddr + ph.p_memsz)}, beyond the user address space (${hex(TASK_SIZE)})`;
  }
  return undefined;
}
