import { DW_CFA, DW_EH_PE, cfaName } from './constants';
import { DwarfError } from './error';
import { ByteReader } from './reader';

/** A Common Information Entry: what the FDEs that point to it share. */
export interface Cie {
  readonly offset: number;
  /** True for `.eh_frame`, false for `.debug_frame`. */
  readonly eh: boolean;
  readonly version: number;
  readonly augmentation: string;
  readonly addressSize: number;
  readonly codeAlign: number;
  readonly dataAlign: number;
  readonly returnAddressRegister: number;
  /** Encoding of the FDEs' addresses ('R' augmentation); absptr otherwise. */
  readonly fdeEncoding: number;
  /** Encoding of the FDEs' LSDA pointers ('L' augmentation). */
  readonly lsdaEncoding: number;
  /** The personality routine ('P' augmentation). */
  readonly personality?: number;
  /** 'S': frames of this CIE are signal trampolines (the pc is not a return address). */
  readonly signalFrame: boolean;
  readonly initialInstructions: Uint8Array;
  /** Section offset of `initialInstructions`. */
  readonly initialOffset: number;
  /** What decoding this CIE's encoded pointers needs (DW_CFA_set_loc uses it too). */
  readonly context: PointerContext;
}

/** A Frame Description Entry: the unwind rules for one address range. */
export interface Fde {
  readonly offset: number;
  readonly cie: Cie;
  readonly low: number;
  readonly high: number;
  readonly lsda?: number;
  readonly instructions: Uint8Array;
  /** Section offset of `instructions`. */
  readonly instructionsOffset: number;
}

/** How to recover a register of the caller (DWARF 5 §6.4.1). */
export type RegisterRule =
  | { readonly kind: 'undefined' }
  | { readonly kind: 'sameValue' }
  /** Saved in memory at CFA + offset. */
  | { readonly kind: 'offset'; readonly offset: number }
  /** The value is CFA + offset. */
  | { readonly kind: 'valOffset'; readonly offset: number }
  /** Saved in another register. */
  | { readonly kind: 'register'; readonly reg: number }
  /** Saved in memory at the address the expression computes (with the CFA pushed first). */
  | { readonly kind: 'expression'; readonly expr: Uint8Array }
  /** The value is what the expression computes (with the CFA pushed first). */
  | { readonly kind: 'valExpression'; readonly expr: Uint8Array };

export type CfaRule =
  | { readonly kind: 'register'; readonly reg: number; readonly offset: number }
  | { readonly kind: 'expression'; readonly expr: Uint8Array };

/**
 * One row of the CFI table: the rules valid for pcs in [address, end). Registers without an
 * entry have no rule ("unspecified"); the unwinder applies the ABI's default to them.
 */
export interface CfiRow {
  readonly address: number;
  readonly end: number;
  readonly cfa: CfaRule;
  readonly registers: ReadonlyMap<number, RegisterRule>;
}

/** Where `.eh_frame` is loaded, for pc-relative pointers; plus `.text`/`.got` for the rarer bases. */
export interface CfiAddresses {
  readonly ehFrame?: number;
  readonly text?: number;
  readonly data?: number;
}

/** How to turn an encoded pointer into an address. */
export interface PointerContext {
  readonly addresses: CfiAddresses;
  readonly eh: boolean;
  readonly addressSize: number;
}

/** Limits on the state a malformed program can pile up. */
const MAX_REMEMBERED_STATES = 1000;

/**
 * The call-frame information of `.debug_frame` and `.eh_frame`: all FDEs indexed by address,
 * with their rule tables computed on demand.
 */
export class CallFrameInfo {
  /** FDEs sorted by start address; `.debug_frame` ones first where both cover a pc. */
  readonly fdes: readonly Fde[];
  private readonly maxHigh: number[] = [];

  /**
   * Indexes both sections, skipping malformed entries; `onError` hears about each, and without
   * one the first DwarfError propagates.
   */
  constructor(sections: { frame?: Uint8Array; ehFrame?: Uint8Array }, addresses: CfiAddresses = {},
    onError?: (message: string) => void, addressSize = 8) {
    const fdes: Fde[] = [];
    if (sections.frame) parseFrameSection(sections.frame, false, addresses, addressSize, fdes, onError);
    if (sections.ehFrame) parseFrameSection(sections.ehFrame, true, addresses, addressSize, fdes, onError);
    // Stable sort: for equal starts the .debug_frame entry (pushed first) stays first.
    fdes.sort((a, b) => a.low - b.low);
    this.fdes = fdes;
    let max = -Infinity;
    for (const f of fdes) {
      max = Math.max(max, f.high);
      this.maxHigh.push(max);
    }
  }

  /** The FDE whose range contains `pc`. */
  findFde(pc: number): Fde | undefined {
    const { fdes } = this;
    let found: Fde | undefined;
    for (let i = this.lastStartingAtOrBelow(pc); i >= 0 && this.maxHigh[i] > pc; i--) {
      const f = fdes[i];
      if (f.low <= pc && pc < f.high && (!found || !f.cie.eh || found.cie.eh)) found = f;
    }
    return found;
  }

  /**
   * The furthest end of the FDEs starting at or below `pc` (undefined when none does): where
   * the code after them begins, for a pc that no FDE covers.
   */
  endBefore(pc: number): number | undefined {
    const last = this.lastStartingAtOrBelow(pc);
    return last < 0 ? undefined : this.maxHigh[last];
  }

  /** The index of the last FDE (in start order) starting at or below `pc`; -1 when none does. */
  private lastStartingAtOrBelow(pc: number): number {
    let lo = 0;
    let hi = this.fdes.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.fdes[mid].low <= pc) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }

  /** The rules in effect at `pc`, or undefined when no FDE covers it. */
  rowAt(pc: number): { fde: Fde; row: CfiRow } | undefined {
    const fde = this.findFde(pc);
    if (!fde) return undefined;
    let found: CfiRow | undefined;
    runFde(fde, (row) => {
      if (row.address <= pc) found = row;
      return row.end <= pc;
    });
    return found ? { fde, row: found } : undefined;
  }
}

/** The complete rule table of an FDE, one row per location where the rules change. */
export function fdeTable(fde: Fde): CfiRow[] {
  const rows: CfiRow[] = [];
  runFde(fde, (row) => {
    rows.push(row);
    return true;
  });
  return rows;
}

/**
 * Appends the FDEs of one section to `fdes`. A malformed entry is skipped (its length says
 * where the next one starts); a malformed length ends the section. `onError` hears about
 * both, and without one the first DwarfError propagates.
 */
function parseFrameSection(bytes: Uint8Array, eh: boolean, addresses: CfiAddresses, addressSize: number, fdes: Fde[],
  onError: ((message: string) => void) | undefined): void {
  const what = eh ? '.eh_frame' : '.debug_frame';
  const r = new ByteReader(bytes, 0, bytes.length, what);
  const cies = new Map<number, Cie | null>();
  const report = (e: unknown): void => {
    if (!(e instanceof DwarfError) || !onError) throw e;
    onError(`${what}: ${e.message}`);
  };
  while (!r.atEnd) {
    const offset = r.pos;
    let end: number;
    let offsetSize: 4 | 8;
    try {
      // In .eh_frame a zero length terminates the section.
      if (eh && r.remaining >= 4 && r.u32() === 0) return;
      r.seek(offset);
      ({ end, offsetSize } = r.initialLength());
    } catch (e) {
      report(e);
      return;
    }
    try {
      const fde = readEntry(r.sub(r.pos, end), offset, bytes, eh, offsetSize, addresses, addressSize, cies);
      // Zero-length and zero-based FDEs describe code the linker discarded.
      if (fde && fde.high > fde.low && fde.low !== 0) fdes.push(fde);
    } catch (e) {
      report(e);
    }
    r.seek(end);
  }
}

/** Reads the entry after its length field: an FDE, or undefined for a CIE (read when first used). */
function readEntry(r: ByteReader, offset: number, bytes: Uint8Array, eh: boolean, offsetSize: 4 | 8, addresses: CfiAddresses,
  addressSize: number, cies: Map<number, Cie | null>): Fde | undefined {
  const idPos = r.pos;
  const { id, isCie } = readEntryId(r, offsetSize, eh);
  if (isCie) return undefined;
  // .eh_frame FDEs point back relative to the pointer field; .debug_frame ones are offsets.
  const cieOffset = eh ? idPos - id : id;
  let cie = cies.get(cieOffset);
  if (cie === undefined) {
    cie = readCieAt(bytes, cieOffset, eh, addresses, addressSize);
    cies.set(cieOffset, cie);
  }
  return cie ? readFde(r, offset, cie) : undefined;
}

/**
 * The CIE id / CIE pointer field of an entry. A CIE has id 0 in `.eh_frame` and all ones (of
 * the offset size) in `.debug_frame`; otherwise the field locates the FDE's CIE.
 */
function readEntryId(r: ByteReader, offsetSize: 4 | 8, eh: boolean): { id: number; isCie: boolean } {
  if (offsetSize === 4) {
    const id = r.u32();
    return { id, isCie: eh ? id === 0 : id === 0xffffffff };
  }
  const big = r.u64Big();
  return { id: Number(big), isCie: eh ? big === 0n : big === 0xffffffffffffffffn };
}

/** Reads the CIE at `offset`; null when its augmentation is one we cannot parse past. */
function readCieAt(bytes: Uint8Array, offset: number, eh: boolean, addresses: CfiAddresses, defaultAddressSize: number): Cie | null {
  const what = eh ? '.eh_frame' : '.debug_frame';
  if (offset < 0 || offset >= bytes.length) throw new DwarfError(`${what}: CIE pointer 0x${offset.toString(16)} out of range`);
  const r = new ByteReader(bytes, offset, bytes.length, what);
  const { end, offsetSize } = r.initialLength();
  if (!readEntryId(r, offsetSize, eh).isCie) {
    throw new DwarfError(`${what}: entry at 0x${offset.toString(16)} is not a CIE`);
  }
  const c = r.sub(r.pos, end);
  const version = c.u8();
  if (version !== 1 && version !== 3 && version !== 4) throw new DwarfError(`${what}: CIE at 0x${offset.toString(16)} has version ${version}`);
  const augmentation = c.cstring();
  let addressSize = defaultAddressSize;
  if (augmentation.includes('eh')) c.skip(addressSize); // pre-'z' GCC: a pointer to exception data
  if (version >= 4) {
    addressSize = c.u8();
    c.u8(); // segment selector size
  }
  const context: PointerContext = { addresses, eh, addressSize };
  const codeAlign = c.uleb();
  const dataAlign = c.sleb();
  const returnAddressRegister = version === 1 ? c.u8() : c.uleb();
  let fdeEncoding: number = DW_EH_PE.absptr;
  let lsdaEncoding: number = DW_EH_PE.omit;
  let personality: number | undefined;
  let signalFrame = false;
  if (augmentation.startsWith('z')) {
    const augEnd = c.uleb() + c.pos;
    const a = c.sub(c.pos, augEnd);
    for (const ch of augmentation.slice(1)) {
      if (ch === 'R') fdeEncoding = a.u8();
      else if (ch === 'L') lsdaEncoding = a.u8();
      else if (ch === 'P') personality = readEncoded(a, a.u8(), context);
      else if (ch === 'S') signalFrame = true;
      else if (ch !== 'B' && ch !== 'G') break; // the length lets us skip what we do not know
    }
    c.seek(augEnd);
  } else if (augmentation !== '' && augmentation !== 'eh') {
    return null;
  }
  const initialOffset = c.pos;
  return {
    offset, eh, version, augmentation, addressSize, codeAlign, dataAlign, returnAddressRegister,
    fdeEncoding, lsdaEncoding, personality, signalFrame, initialInstructions: c.bytesOf(c.remaining),
    initialOffset, context,
  };
}

function readFde(r: ByteReader, offset: number, cie: Cie): Fde {
  const low = readEncoded(r, cie.fdeEncoding, cie.context);
  // The range has the pointer's size but no base: it is a length.
  const high = low + readEncoded(r, cie.fdeEncoding & 0x0f, cie.context);
  let lsda: number | undefined;
  if (cie.augmentation.startsWith('z')) {
    const augEnd = r.uleb() + r.pos;
    if (cie.lsdaEncoding !== DW_EH_PE.omit) lsda = readEncoded(r.sub(r.pos, augEnd), cie.lsdaEncoding, cie.context);
    r.seek(augEnd);
  }
  const instructionsOffset = r.pos;
  return { offset, cie, low, high, lsda, instructions: r.bytesOf(r.remaining), instructionsOffset };
}

/**
 * Reads a pointer in a DW_EH_PE encoding. `fieldOffset` is the field's offset in its section
 * (pc-relative pointers are relative to the field's own address).
 */
function readEncoded(r: ByteReader, encoding: number, ctx: PointerContext, fieldOffset = r.pos): number {
  if (encoding === DW_EH_PE.omit) return 0;
  const { addresses, addressSize } = ctx;
  let base = 0;
  switch (encoding & 0x70) {
    case DW_EH_PE.absptr: break;
    case DW_EH_PE.pcrel:
      if (!ctx.eh) throw new DwarfError('.debug_frame uses a pc-relative pointer, but it is not loaded');
      if (addresses.ehFrame === undefined) throw new DwarfError('.eh_frame uses pc-relative pointers but its address is unknown');
      base = addresses.ehFrame + fieldOffset;
      break;
    case DW_EH_PE.textrel:
      if (addresses.text === undefined) throw new DwarfError('.eh_frame uses text-relative pointers but the text address is unknown');
      base = addresses.text;
      break;
    case DW_EH_PE.datarel:
      if (addresses.data === undefined) throw new DwarfError('.eh_frame uses data-relative pointers but the data address is unknown');
      base = addresses.data;
      break;
    case DW_EH_PE.aligned: {
      const misalign = fieldOffset % addressSize;
      if (misalign) r.skip(addressSize - misalign);
      break;
    }
    default:
      throw new DwarfError(`unsupported pointer encoding 0x${encoding.toString(16)}`);
  }
  let value: number;
  switch (encoding & 0x0f) {
    case DW_EH_PE.absptr: value = r.uSized(addressSize); break;
    case DW_EH_PE.uleb128: value = r.uleb(); break;
    case DW_EH_PE.udata2: value = r.u16(); break;
    case DW_EH_PE.udata4: value = r.u32(); break;
    case DW_EH_PE.udata8: value = r.u64(); break;
    case DW_EH_PE.sleb128: value = r.sleb(); break;
    case DW_EH_PE.sdata2: value = r.i16(); break;
    case DW_EH_PE.sdata4: value = r.i32(); break;
    case DW_EH_PE.sdata8: value = Number(r.i64Big()); break;
    default: throw new DwarfError(`unsupported pointer format 0x${encoding.toString(16)}`);
  }
  // DW_EH_PE_indirect points at a pointer we would have to read from the guest; it appears for
  // personality routines and LSDAs only, which the debugger does not use.
  return base + value;
}

interface State {
  cfa: CfaRule;
  registers: Map<number, RegisterRule>;
}

/**
 * Runs the CIE's initial instructions and then the FDE's, calling `onRow` for each row as it
 * is completed; stops early when `onRow` returns false.
 */
function runFde(fde: Fde, onRow: (row: CfiRow) => boolean): void {
  const { cie } = fde;
  const state: State = { cfa: { kind: 'register', reg: 0, offset: 0 }, registers: new Map() };
  execute(cie.initialInstructions, cie.initialOffset, cie, state, undefined);
  const initial = new Map(state.registers);
  let address = fde.low;
  let stopped = false;
  const emit = (end: number): void => {
    if (end <= address || stopped) return;
    stopped = !onRow({ address, end: Math.min(end, fde.high), cfa: state.cfa, registers: new Map(state.registers) });
  };
  execute(fde.instructions, fde.instructionsOffset, cie, state, { initial, start: fde.low, advance: (to) => {
    emit(to);
    address = to;
    return !stopped && address < fde.high;
  } });
  emit(fde.high);
}

/** What an FDE program has beyond a CIE's: a location that advances, and rules to restore. */
interface FdeRun {
  readonly initial: ReadonlyMap<number, RegisterRule>;
  readonly start: number;
  /** Called when the location moves; returns false to stop. */
  readonly advance: (to: number) => boolean;
}

/**
 * Executes call-frame instructions on `state`. `programOffset` is where they start in the
 * section (for pc-relative DW_CFA_set_loc); `fde` is undefined for a CIE's initial instructions.
 */
function execute(program: Uint8Array, programOffset: number, cie: Cie, state: State, fde: FdeRun | undefined): void {
  const what = cie.eh ? '.eh_frame' : '.debug_frame';
  const r = new ByteReader(program, 0, program.length, `${what} CFA program`);
  const saved: State[] = [];
  let location = fde?.start ?? 0;
  const moveTo = (to: number): boolean => {
    if (!fde) throw new DwarfError(`${what}: CIE at 0x${cie.offset.toString(16)} has a location-changing instruction`);
    location = to;
    return fde.advance(to);
  };
  const set = (reg: number, rule: RegisterRule): void => { state.registers.set(reg, rule); };
  const restore = (reg: number): void => {
    if (!fde) throw new DwarfError(`${what}: DW_CFA_restore in a CIE`);
    const rule = fde.initial.get(reg);
    if (rule) state.registers.set(reg, rule);
    else state.registers.delete(reg);
  };
  const cfaRegister = (): { reg: number; offset: number } => {
    if (state.cfa.kind !== 'register') throw new DwarfError(`${what}: CFA offset change after a CFA expression`);
    return state.cfa;
  };
  while (!r.atEnd) {
    const op = r.u8();
    const high = op & 0xc0;
    const low = op & 0x3f;
    if (high === DW_CFA.advance_loc) {
      if (!moveTo(location + low * cie.codeAlign)) return;
      continue;
    }
    if (high === DW_CFA.offset) {
      set(low, { kind: 'offset', offset: r.uleb() * cie.dataAlign });
      continue;
    }
    if (high === DW_CFA.restore) {
      restore(low);
      continue;
    }
    switch (op) {
      case DW_CFA.nop: break;
      case DW_CFA.set_loc:
        if (!moveTo(readEncoded(r, cie.fdeEncoding, cie.context, programOffset + r.pos))) return;
        break;
      case DW_CFA.advance_loc1: if (!moveTo(location + r.u8() * cie.codeAlign)) return; break;
      case DW_CFA.advance_loc2: if (!moveTo(location + r.u16() * cie.codeAlign)) return; break;
      case DW_CFA.advance_loc4: if (!moveTo(location + r.u32() * cie.codeAlign)) return; break;
      case DW_CFA.MIPS_advance_loc8: if (!moveTo(location + r.u64() * cie.codeAlign)) return; break;
      case DW_CFA.offset_extended: { const reg = r.uleb(); set(reg, { kind: 'offset', offset: r.uleb() * cie.dataAlign }); break; }
      case DW_CFA.offset_extended_sf: { const reg = r.uleb(); set(reg, { kind: 'offset', offset: r.sleb() * cie.dataAlign }); break; }
      case DW_CFA.GNU_negative_offset_extended: { const reg = r.uleb(); set(reg, { kind: 'offset', offset: -r.uleb() * cie.dataAlign }); break; }
      case DW_CFA.val_offset: { const reg = r.uleb(); set(reg, { kind: 'valOffset', offset: r.uleb() * cie.dataAlign }); break; }
      case DW_CFA.val_offset_sf: { const reg = r.uleb(); set(reg, { kind: 'valOffset', offset: r.sleb() * cie.dataAlign }); break; }
      case DW_CFA.restore_extended: restore(r.uleb()); break;
      case DW_CFA.undefined: set(r.uleb(), { kind: 'undefined' }); break;
      case DW_CFA.same_value: set(r.uleb(), { kind: 'sameValue' }); break;
      case DW_CFA.register: { const reg = r.uleb(); set(reg, { kind: 'register', reg: r.uleb() }); break; }
      case DW_CFA.remember_state:
        if (saved.length >= MAX_REMEMBERED_STATES) throw new DwarfError(`${what}: too many DW_CFA_remember_state`);
        saved.push({ cfa: state.cfa, registers: new Map(state.registers) });
        break;
      case DW_CFA.restore_state: {
        // Like gdb and libgcc, the remembered state includes the CFA rule.
        const s = saved.pop();
        if (!s) throw new DwarfError(`${what}: DW_CFA_restore_state without a remembered state`);
        state.cfa = s.cfa;
        state.registers = s.registers;
        break;
      }
      case DW_CFA.def_cfa: { const reg = r.uleb(); state.cfa = { kind: 'register', reg, offset: r.uleb() }; break; }
      case DW_CFA.def_cfa_sf: { const reg = r.uleb(); state.cfa = { kind: 'register', reg, offset: r.sleb() * cie.dataAlign }; break; }
      case DW_CFA.def_cfa_register: state.cfa = { kind: 'register', reg: r.uleb(), offset: cfaRegister().offset }; break;
      case DW_CFA.def_cfa_offset: state.cfa = { kind: 'register', reg: cfaRegister().reg, offset: r.uleb() }; break;
      case DW_CFA.def_cfa_offset_sf: state.cfa = { kind: 'register', reg: cfaRegister().reg, offset: r.sleb() * cie.dataAlign }; break;
      case DW_CFA.def_cfa_expression: state.cfa = { kind: 'expression', expr: r.bytesOf(r.uleb()) }; break;
      case DW_CFA.expression: { const reg = r.uleb(); set(reg, { kind: 'expression', expr: r.bytesOf(r.uleb()) }); break; }
      case DW_CFA.val_expression: { const reg = r.uleb(); set(reg, { kind: 'valExpression', expr: r.bytesOf(r.uleb()) }); break; }
      case DW_CFA.GNU_args_size: r.uleb(); break; // stack adjustment for callee-popped args: not on RISC-V
      case DW_CFA.GNU_window_save: break; // SPARC register windows / AArch64 pointer auth: no meaning here
      default:
        throw new DwarfError(`${what}: unknown call-frame instruction ${cfaName(op)} (0x${op.toString(16)})`);
    }
  }
}
