import {
  EM_386, EM_AARCH64, EM_ARM, EM_RISCV, EM_X86_64, PT_DYNAMIC, PT_GNU_EH_FRAME, PT_GNU_PROPERTY,
  PT_GNU_RELRO, PT_GNU_STACK, PT_INTERP, PT_LOAD, PT_NOTE, PT_NULL, PT_PHDR, PT_RISCV_ATTRIBUTES,
  PT_SHLIB, PT_TLS,
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
