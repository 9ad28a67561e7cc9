import { DW_FORM, DW_LNCT, DW_LNE, DW_LNS, formName } from './constants';
import { DwarfError } from './error';
import { joinPath } from './paths';
import { ByteReader, stringAt } from './reader';
import type { DwarfSections } from './sections';

/** One entry of a line program's file table. */
export interface LineFile {
  /** The name as written in the table. */
  readonly name: string;
  readonly directoryIndex: number;
  /** The name joined with its directory and the compilation directory, normalized. */
  readonly path: string;
  readonly md5?: Uint8Array;
}

/** One row of the line-number matrix (DWARF 5 §6.2.2). */
export interface LineRow {
  readonly address: number;
  readonly opIndex: number;
  /** Index into the program's `files`. */
  readonly file: number;
  readonly line: number;
  readonly column: number;
  readonly isStmt: boolean;
  readonly basicBlock: boolean;
  readonly endSequence: boolean;
  readonly prologueEnd: boolean;
  readonly epilogueBegin: boolean;
  readonly isa: number;
  readonly discriminator: number;
}

export interface LineProgramHeader {
  readonly offset: number;
  readonly end: number;
  readonly version: number;
  readonly offsetSize: 4 | 8;
  readonly addressSize: number;
  readonly minInstLength: number;
  readonly maxOpsPerInst: number;
  readonly defaultIsStmt: boolean;
  readonly lineBase: number;
  readonly lineRange: number;
  readonly opcodeBase: number;
  /** Operand counts of standard opcodes 1 .. opcodeBase-1 (index 0 is opcode 1). */
  readonly standardOpcodeLengths: readonly number[];
  readonly directories: readonly string[];
  /** Offset of the first opcode. */
  readonly programOffset: number;
}

export interface LineProgram {
  readonly header: LineProgramHeader;
  /** Grows when the program uses DW_LNE_define_file (DWARF 2–4). */
  readonly files: LineFile[];
  /** Rows in program order; each sequence ends with an `endSequence` row. */
  readonly rows: LineRow[];
}

/** What a line program needs from the unit that points at it. */
export interface LineContext {
  readonly sections: DwarfSections;
  /** DW_AT_comp_dir of the unit: directory 0 before DWARF 5, and the base of relative paths. */
  readonly compDir?: string;
  /** DW_AT_name of the unit: file 0 before DWARF 5 (which has no file 0 in the table). */
  readonly compName?: string;
  /** The unit's address size, used when the (pre-5) header does not say. */
  readonly addressSize?: number;
  /** Resolves DW_FORM_strx* in DWARF 5 entry formats through the unit. */
  readonly indexedString?: (index: number) => string;
}

/** Parses the line program at `offset` of `.debug_line` and runs it to its rows. */
export function parseLineProgram(ctx: LineContext, offset: number): LineProgram {
  const bytes = ctx.sections.line;
  if (!bytes) throw new DwarfError('.debug_line is missing');
  const r = new ByteReader(bytes, 0, bytes.length, '.debug_line');
  r.seek(offset);
  const { header, files } = readHeader(r, ctx);
  return { header, files, rows: runProgram(r, header, files, ctx) };
}

function readHeader(r: ByteReader, ctx: LineContext): { header: LineProgramHeader; files: LineFile[] } {
  const offset = r.pos;
  const { end, offsetSize } = r.initialLength();
  const version = r.u16();
  if (version < 2 || version > 5) throw new DwarfError(`.debug_line: program at 0x${offset.toString(16)} has unsupported version ${version}`);
  let addressSize = ctx.addressSize ?? 8;
  if (version >= 5) {
    addressSize = r.u8();
    r.u8(); // segment_selector_size: no segmented addressing on RISC-V
  }
  const headerLength = r.offset(offsetSize);
  const programOffset = r.pos + headerLength;
  if (programOffset > end) throw new DwarfError(`.debug_line: header at 0x${offset.toString(16)} overruns its program`);
  const hr = r.sub(r.pos, programOffset);
  const minInstLength = hr.u8();
  const maxOpsPerInst = version >= 4 ? hr.u8() : 1;
  const defaultIsStmt = hr.u8() !== 0;
  const lineBase = hr.i8();
  const lineRange = hr.u8();
  const opcodeBase = hr.u8();
  const standardOpcodeLengths: number[] = [];
  for (let i = 1; i < opcodeBase; i++) standardOpcodeLengths.push(hr.u8());

  const directories: string[] = [];
  const files: LineFile[] = [];
  if (version >= 5) {
    for (const entry of readEntryTable(hr, offsetSize, ctx)) directories.push(entry.path ?? '');
    for (const entry of readEntryTable(hr, offsetSize, ctx)) {
      files.push(makeFile(entry.path ?? '', entry.dir ?? 0, directories, ctx, entry.md5));
    }
  } else {
    // Directory 0 is the compilation directory; the table lists 1, 2, ...
    directories.push(ctx.compDir ?? '');
    for (let s = hr.cstring(); s !== ''; s = hr.cstring()) directories.push(s);
    // File 0 is the primary source; the table lists 1, 2, ...
    files.push(makeFile(ctx.compName ?? '', 0, directories, ctx));
    for (let s = hr.cstring(); s !== ''; s = hr.cstring()) {
      const dir = hr.uleb();
      hr.uleb(); // modification time
      hr.uleb(); // length
      files.push(makeFile(s, dir, directories, ctx));
    }
  }
  r.seek(programOffset);
  const header: LineProgramHeader = {
    offset, end, version, offsetSize, addressSize, minInstLength, maxOpsPerInst, defaultIsStmt,
    lineBase, lineRange, opcodeBase, standardOpcodeLengths, directories, programOffset,
  };
  return { header, files };
}

function makeFile(name: string, dir: number, directories: readonly string[], ctx: LineContext, md5?: Uint8Array): LineFile {
  // A bad directory index leaves the name relative to the compilation directory rather than
  // failing the whole table: the line numbers are still worth having.
  const base = joinPath(ctx.compDir, directories[dir] ?? '');
  return { name, directoryIndex: dir, path: joinPath(base, name), md5 };
}

interface Entry {
  path?: string;
  dir?: number;
  md5?: Uint8Array;
}

/** A DWARF 5 directory or file-name table: a format description, then the entries. */
function readEntryTable(r: ByteReader, offsetSize: 4 | 8, ctx: LineContext): Entry[] {
  const formatCount = r.u8();
  const format: [number, number][] = [];
  for (let i = 0; i < formatCount; i++) format.push([r.uleb(), r.uleb()]);
  const count = r.uleb();
  const entries: Entry[] = [];
  for (let i = 0; i < count; i++) {
    const entry: Entry = {};
    for (const [content, form] of format) {
      const v = readEntryValue(r, form, offsetSize, ctx);
      if (content === DW_LNCT.path && typeof v === 'string') entry.path = v;
      else if (content === DW_LNCT.directory_index && typeof v === 'number') entry.dir = v;
      else if (content === DW_LNCT.MD5 && v instanceof Uint8Array) entry.md5 = v;
    }
    entries.push(entry);
  }
  return entries;
}

function readEntryValue(r: ByteReader, form: number, offsetSize: 4 | 8, ctx: LineContext): string | number | bigint | Uint8Array {
  const strx = (index: number): string => {
    if (!ctx.indexedString) throw new DwarfError('.debug_line: DW_FORM_strx in a line table without a unit');
    return ctx.indexedString(index);
  };
  switch (form) {
    case DW_FORM.string: return r.cstring();
    case DW_FORM.line_strp: return stringAt(ctx.sections.lineStr, r.offset(offsetSize), '.debug_line_str');
    case DW_FORM.strp: return stringAt(ctx.sections.str, r.offset(offsetSize), '.debug_str');
    case DW_FORM.strx: return strx(r.uleb());
    case DW_FORM.strx1: return strx(r.u8());
    case DW_FORM.strx2: return strx(r.u16());
    case DW_FORM.strx3: return strx(r.u24());
    case DW_FORM.strx4: return strx(r.u32());
    case DW_FORM.udata: return r.uleb();
    case DW_FORM.data1: return r.u8();
    case DW_FORM.data2: return r.u16();
    case DW_FORM.data4: return r.u32();
    case DW_FORM.data8: return r.u64Big();
    case DW_FORM.data16: return r.bytesOf(16);
    case DW_FORM.block: return r.bytesOf(r.uleb());
    default: throw new DwarfError(`.debug_line: unsupported form ${formName(form)} in an entry format`);
  }
}

/** Runs the line-number state machine over the opcodes of one program. */
function runProgram(r: ByteReader, h: LineProgramHeader, files: LineFile[], ctx: LineContext): LineRow[] {
  const rows: LineRow[] = [];
  // A zero maximum is malformed; treating it as 1 (no VLIW bundles) is what every consumer does.
  const maxOps = h.maxOpsPerInst || 1;
  const p = r.sub(h.programOffset, h.end);

  let address = 0, opIndex = 0, file = 1, line = 1, column = 0, isStmt = h.defaultIsStmt;
  let basicBlock = false, endSequence = false, prologueEnd = false, epilogueBegin = false;
  let isa = 0, discriminator = 0;
  const reset = (): void => {
    address = 0; opIndex = 0; file = 1; line = 1; column = 0; isStmt = h.defaultIsStmt;
    basicBlock = false; endSequence = false; prologueEnd = false; epilogueBegin = false;
    isa = 0; discriminator = 0;
  };
  const emit = (): void => {
    rows.push({ address, opIndex, file, line, column, isStmt, basicBlock, endSequence, prologueEnd, epilogueBegin, isa, discriminator });
    basicBlock = false; prologueEnd = false; epilogueBegin = false; discriminator = 0;
  };
  const advance = (operationAdvance: number): void => {
    if (maxOps === 1) {
      address += h.minInstLength * operationAdvance;
    } else {
      address += h.minInstLength * Math.floor((opIndex + operationAdvance) / maxOps);
      opIndex = (opIndex + operationAdvance) % maxOps;
    }
  };
  const needLineRange = (): void => {
    if (h.lineRange === 0) throw new DwarfError(`.debug_line: program at 0x${h.offset.toString(16)} has line_range 0`);
  };

  while (!p.atEnd) {
    const op = p.u8();
    if (op >= h.opcodeBase) {
      needLineRange();
      const adjusted = op - h.opcodeBase;
      advance(Math.floor(adjusted / h.lineRange));
      line += h.lineBase + (adjusted % h.lineRange);
      emit();
      continue;
    }
    switch (op) {
      case 0: {
        const len = p.uleb();
        const start = p.pos;
        if (len === 0) break;
        const sub = p.sub(start, start + len);
        const ext = sub.u8();
        switch (ext) {
          case DW_LNE.end_sequence:
            endSequence = true;
            emit();
            reset();
            break;
          case DW_LNE.set_address:
            address = sub.uSized(len - 1);
            opIndex = 0;
            break;
          case DW_LNE.define_file: {
            const name = sub.cstring();
            const dir = sub.uleb();
            files.push(makeFile(name, dir, h.directories, ctx));
            break;
          }
          case DW_LNE.set_discriminator:
            discriminator = sub.uleb();
            break;
          default:
            break; // vendor extension: its length says how much to skip
        }
        p.seek(start + len);
        break;
      }
      case DW_LNS.copy: emit(); break;
      case DW_LNS.advance_pc: advance(p.uleb()); break;
      case DW_LNS.advance_line: line += p.sleb(); break;
      case DW_LNS.set_file: file = p.uleb(); break;
      case DW_LNS.set_column: column = p.uleb(); break;
      case DW_LNS.negate_stmt: isStmt = !isStmt; break;
      case DW_LNS.set_basic_block: basicBlock = true; break;
      case DW_LNS.const_add_pc:
        needLineRange();
        advance(Math.floor((255 - h.opcodeBase) / h.lineRange));
        break;
      case DW_LNS.fixed_advance_pc: address += p.u16(); opIndex = 0; break;
      case DW_LNS.set_prologue_end: prologueEnd = true; break;
      case DW_LNS.set_epilogue_begin: epilogueBegin = true; break;
      case DW_LNS.set_isa: isa = p.uleb(); break;
      default:
        // An opcode this reader does not know: the header says how many ULEB operands to skip.
        for (let i = 0; i < h.standardOpcodeLengths[op - 1]; i++) p.uleb();
    }
  }
  return rows;
}
