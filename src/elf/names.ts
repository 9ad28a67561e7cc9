import {
  EF_RISCV_FLOAT_ABI_DOUBLE, EF_RISCV_FLOAT_ABI_MASK, EF_RISCV_FLOAT_ABI_QUAD, EF_RISCV_FLOAT_ABI_SINGLE,
  EF_RISCV_RVC, EF_RISCV_RVE, EF_RISCV_TSO, EM_386, EM_AARCH64, EM_ARM, EM_RISCV, EM_X86_64, PT_DYNAMIC, PT_GNU_EH_FRAME, PT_GNU_PROPERTY,
  PT_GNU_RELRO, PT_GNU_STACK, PT_INTERP, PT_LOAD, PT_NOTE, PT_NULL, PT_PHDR, PT_RISCV_ATTRIBUTES,
  PT_SHLIB, PT_TLS, SHT_DYNAMIC, SHT_DYNSYM, SHT_FINI_ARRAY, SHT_GNU_HASH, SHT_GNU_VERDEF,
  SHT_GNU_VERNEED, SHT_GNU_VERSYM, SHT_GROUP, SHT_HASH, SHT_INIT_ARRAY, SHT_NOBITS, SHT_NOTE, SHT_NULL,
  SHT_PREINIT_ARRAY, SHT_PROGBITS, SHT_REL, SHT_RELA, SHT_RISCV_ATTRIBUTES, SHT_STRTAB, SHT_SYMTAB,
  SHT_SYMTAB_SHNDX,
} from './constants';
import { hex } from './bytes';

/** Machines someone might plausibly hand to Forkscope by mistake, named for the error message. */
const MACHINES: ReadonlyMap<number, string> = new Map([
  [0, 'no machine'],
  [2, 'SPARC'],
  [EM_386, 'x86 (i386)'],
  [8, 'MIPS'],
  [20, 'PowerPC'],
  [21, 'PowerPC64'],
  [22, 'IBM S/390'],
  [EM_ARM, 'ARM'],
  [EM_X86_64, 'x86-64'],
  [EM_AARCH64, 'AArch64'],
  [EM_RISCV, 'RISC-V'],
  [258, 'LoongArch'],
]);

export function machineName(e_machine: number): string {
  return MACHINES.get(e_machine) ?? `machine ${e_machine}`;
}

/** readelf's spelling of segment types, for messages and listings. */
const SEGMENT_TYPES: ReadonlyMap<number, string> = new Map([
  [PT_NULL, 'NULL'],
  [PT_LOAD, 'LOAD'],
  [PT_DYNAMIC, 'DYNAMIC'],
  [PT_INTERP, 'INTERP'],
  [PT_NOTE, 'NOTE'],
  [PT_SHLIB, 'SHLIB'],
  [PT_PHDR, 'PHDR'],
  [PT_TLS, 'TLS'],
  [PT_GNU_EH_FRAME, 'GNU_EH_FRAME'],
  [PT_GNU_STACK, 'GNU_STACK'],
  [PT_GNU_RELRO, 'GNU_RELRO'],
  [PT_GNU_PROPERTY, 'GNU_PROPERTY'],
  [PT_RISCV_ATTRIBUTES, 'RISCV_ATTRIBUTES'],
]);

export function segmentTypeName(p_type: number): string {
  return SEGMENT_TYPES.get(p_type) ?? hex(p_type);
}

/** readelf's spelling of section types. */
const SECTION_TYPES: ReadonlyMap<number, string> = new Map([
  [SHT_NULL, 'NULL'],
  [SHT_PROGBITS, 'PROGBITS'],
  [SHT_SYMTAB, 'SYMTAB'],
  [SHT_STRTAB, 'STRTAB'],
  [SHT_RELA, 'RELA'],
  [SHT_HASH, 'HASH'],
  [SHT_DYNAMIC, 'DYNAMIC'],
  [SHT_NOTE, 'NOTE'],
  [SHT_NOBITS, 'NOBITS'],
  [SHT_REL, 'REL'],
  [SHT_DYNSYM, 'DYNSYM'],
  [SHT_INIT_ARRAY, 'INIT_ARRAY'],
  [SHT_FINI_ARRAY, 'FINI_ARRAY'],
  [SHT_PREINIT_ARRAY, 'PREINIT_ARRAY'],
  [SHT_GROUP, 'GROUP'],
  [SHT_SYMTAB_SHNDX, 'SYMTAB SECTION INDICES'],
  [SHT_GNU_HASH, 'GNU_HASH'],
  [SHT_GNU_VERDEF, 'VERDEF'],
  [SHT_GNU_VERNEED, 'VERNEED'],
  [SHT_GNU_VERSYM, 'VERSYM'],
  [SHT_RISCV_ATTRIBUTES, 'RISCV_ATTRIBUTES'],
]);

export function sectionTypeName(sh_type: number): string {
  return SECTION_TYPES.get(sh_type) ?? hex(sh_type);
}

/** The RISC-V e_flags spelled out as readelf does: ["RVC", "double-float ABI"]. */
export function describeRiscvFlags(e_flags: number): string[] {
  const parts: string[] = [];
  if (e_flags & EF_RISCV_RVC) parts.push('RVC');
  if (e_flags & EF_RISCV_RVE) parts.push('RVE');
  if (e_flags & EF_RISCV_TSO) parts.push('TSO');
  const abi = e_flags & EF_RISCV_FLOAT_ABI_MASK;
  parts.push(
    abi === EF_RISCV_FLOAT_ABI_SINGLE ? 'single-float ABI'
      : abi === EF_RISCV_FLOAT_ABI_DOUBLE ? 'double-float ABI'
        : abi === EF_RISCV_FLOAT_ABI_QUAD ? 'quad-float ABI' : 'soft-float ABI');
  return parts;
}
