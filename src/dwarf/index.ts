/**
 * The DWARF reader: DWARF 2–5 as gcc and clang emit it for riscv64, from sections handed in by
 * the caller. Start with `Dwarf.load(getSection, sectionAddress)`; the lower-level pieces are
 * exported for tools and tests that need one layer only.
 */
export { Dwarf } from './program';
export type { BreakpointLocation, InlineFrame } from './program';
export { DwarfError } from './error';
export type { SectionSource, SectionAddress, DwarfSections } from './sections';
export { collectSections } from './sections';

export { DebugInfo } from './info';
export { Unit } from './unit';
export type { UnitHeader } from './unit';
export { Die, signedValue } from './die';
export type { Attribute, AttrValue } from './die';

export { parseLineProgram } from './line';
export type { LineProgram, LineRow, LineFile, LineProgramHeader } from './line';
export { LineTable } from './line-table';
export type { LineLocation, LineAddresses } from './line-table';
export { pathMatches } from './paths';

export { dieRanges, readRangeList, readLocationList } from './ranges';
export type { AddressRange, LocationList, LocationListEntry } from './ranges';

export { FunctionInfo, InlinedCall, Scope, Variable, expressionAt, originChain } from './scopes';
export type { CallSite, CallSiteParameter, LocationDescription } from './scopes';

export { TypeReader, typeName, typeSize, stripTypedefs } from './types';
export type { Type, Member, Enumerator, AggregateType, EnumType, FunctionType } from './types';

export { decodeExpression, formatExpression } from './expr';
export type { Op, ExprEncoding } from './expr';
export { evaluateLocation, evaluateValue } from './eval';
export type { EvalContext, Location, SimpleLocation, Piece } from './eval';
export { fullyKnown, locationBytes } from './value';
export type { ObjectBytes, RegisterReader } from './value';

export { CallFrameInfo, fdeTable } from './cfi';
export type { Cie, Fde, CfiRow, CfaRule, RegisterRule, CfiAddresses } from './cfi';
export { unwindStep, computeCfa, lookupPc } from './unwind';
export type { Frame, UnwoundFrame, RegisterFile, MemoryReader } from './unwind';
export { DWARF_REG_RA, DWARF_REG_SP, DWARF_REG_FP, DWARF_REG_COUNT, dwarfRegName, isCalleeSaved } from './regs';

export * from './constants';
