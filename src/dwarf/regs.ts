/**
 * RISC-V DWARF register numbering (RISC-V ELF psABI, "DWARF Register Numbers"): 0–31 are the
 * integer registers x0–x31, 32–63 the FP registers f0–f31. The program counter has no DWARF
 * number; the return-address column of the CFI is x1 (ra).
 */
export const DWARF_REG_RA = 1;
export const DWARF_REG_SP = 2;
export const DWARF_REG_FP = 8;
/** Registers the unwinder tracks: the 32 integer and 32 FP registers. */
export const DWARF_REG_COUNT = 64;

const INT_NAMES = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];
const FP_NAMES = [
  'ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5',
  'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11',
];

/** The ABI name of a DWARF register number (`a0`, `fs1`), or `r<n>` outside 0–63. */
export function dwarfRegName(reg: number): string {
  if (reg >= 0 && reg < 32) return INT_NAMES[reg];
  if (reg >= 32 && reg < 64) return FP_NAMES[reg - 32];
  return `r${reg}`;
}

/**
 * Registers a called function must preserve (psABI): sp, s0–s11 and fs0–fs11. Without a CFI
 * rule these keep their value across a call; every other register is unknown in the caller.
 */
export function isCalleeSaved(reg: number): boolean {
  return reg === DWARF_REG_SP || reg === 8 || reg === 9 || (reg >= 18 && reg <= 27)
    || reg === 40 || reg === 41 || (reg >= 50 && reg <= 59);
}
