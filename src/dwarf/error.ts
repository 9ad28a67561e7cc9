/**
 * The one exception type the DWARF reader throws. Debug information comes from whatever ELF the
 * user hands us, so malformed input is an expected condition, not a bug: callers catch
 * `DwarfError` to degrade gracefully (no line info, "<optimized out>") and let anything else
 * surface as a real defect.
 */
export class DwarfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DwarfError';
  }
}
