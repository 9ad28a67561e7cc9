/**
 * Forkscope's ELF64 reader for RISC-V programs: the public API of the elf/ layer.
 *
 *   const elf = parseElf(bytes);            // throws ElfError with one clear sentence
 *   const why = validateForExec(elf);       // what Linux's execve would refuse, or undefined
 *   elf.programHeaders, elf.interpreter, elf.sections, elf.section('.text'),
 *   elf.symbols(), elf.symbolizer().containing(pc), elf.dynamic,
 *   elf.buildId, elf.debugLink
 */
export * from './constants';
export { ElfError } from './error';
export { describeRiscvFlags, machineName, sectionTypeName, segmentTypeName } from './names';
export { ElfFile, parseElf } from './parse';
export { gnuDebuglinkCrc } from './notes';
export type { Symbolizer } from './symbols';
export { validateForExec } from './validate';
export type {
  DebugLink, DynamicEntry, ElfHeader, ElfSymbol, ProgramHeader, SectionHeader, SymbolizedAddress,
} from './types';
