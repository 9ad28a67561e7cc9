/**
 * Parsers for the text the oracle tools print: readelf's DIE dump, location and range lists
 * and interpreted CFI tables, objdump's decoded line table, llvm-dwarfdump's line rows, and
 * gdb's breakpoint table. Each keeps only what the tests compare.
 */

/** One DIE as `readelf --debug-dump=info` prints it. */
export interface ReadelfDie {
  readonly depth: number;
  readonly offset: number;
  readonly tag: string;
  readonly attrs: { readonly offset: number; readonly name: string; readonly value: string }[];
}

export function parseReadelfInfo(text: string): ReadelfDie[] {
  const dies: ReadelfDie[] = [];
  let current: ReadelfDie | undefined;
  for (const line of text.split('\n')) {
    const die = /^\s*<(\d+)><([0-9a-f]+)>: Abbrev Number: (\d+)(?: \((\S+)\))?/.exec(line);
    if (die) {
      current = undefined;
      if (die[3] === '0') continue; // the null entry that ends a list of siblings
      current = { depth: Number(die[1]), offset: parseInt(die[2], 16), tag: die[4], attrs: [] };
      dies.push(current);
      continue;
    }
    const attr = /^\s*<([0-9a-f]+)>\s+(DW_AT_\S+)\s*: ?(.*)$/.exec(line);
    if (attr && current) current.attrs.push({ offset: parseInt(attr[1], 16), name: attr[2], value: attr[3] });
  }
  return dies;
}

/** A row of `objdump --dwarf=decodedline`: end-of-sequence rows have line undefined. */
export interface DecodedLine {
  readonly file: string;
  readonly line: number | undefined;
  readonly address: number;
  readonly isStmt: boolean;
}

export function parseDecodedLine(text: string): DecodedLine[] {
  const rows: DecodedLine[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\d+|-)\s+(0x[0-9a-f]+)(?:\s+(\d+))?\s*(x?)\s*$/.exec(line);
    if (!m) continue;
    rows.push({ file: m[1], line: m[2] === '-' ? undefined : Number(m[2]), address: parseInt(m[3], 16), isStmt: m[5] === 'x' });
  }
  return rows;
}

/** A row of `llvm-dwarfdump --debug-line`. */
export interface DwarfdumpLine {
  readonly address: number;
  readonly line: number;
  readonly column: number;
  readonly file: number;
  readonly isa: number;
  readonly discriminator: number;
  readonly flags: readonly string[];
}

/** Rows of every line program, in program order. */
export function parseDwarfdumpLines(text: string): DwarfdumpLine[] {
  const rows: DwarfdumpLine[] = [];
  for (const line of text.split('\n')) {
    const m = /^0x([0-9a-f]{16})\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*(.*)$/.exec(line);
    if (!m) continue;
    rows.push({
      address: parseInt(m[1], 16), line: Number(m[2]), column: Number(m[3]), file: Number(m[4]), isa: Number(m[5]),
      discriminator: Number(m[6]), flags: m[7].trim() === '' ? [] : m[7].trim().split(/\s+/),
    });
  }
  return rows;
}

/** One entry of a location or range list as readelf prints it (addresses already absolute). */
export interface ListEntry {
  readonly low: number;
  readonly high: number;
  /** The decoded expression (location lists only). */
  readonly expr?: string;
}

/**
 * The lists of `readelf --debug-dump=loc` or `--debug-dump=Ranges`, keyed by the offset of
 * each list's first entry (what DW_AT_location / DW_AT_ranges hold). Only meaningful where
 * the producer writes absolute addresses (gcc); clang's offset pairs are printed unresolved.
 */
export function parseReadelfLists(text: string): Map<number, ListEntry[]> {
  const lists = new Map<number, ListEntry[]>();
  let current: ListEntry[] | undefined;
  for (const line of text.split('\n')) {
    const end = /^\s+([0-9a-f]{8}) <End of list>/.exec(line);
    if (end) {
      current = undefined;
      continue;
    }
    const entry = /^\s+([0-9a-f]{8}) ([0-9a-f]{16}) ([0-9a-f]{16}) ?(.*)$/.exec(line);
    if (!entry) continue;
    if (!current) {
      current = [];
      lists.set(parseInt(entry[1], 16), current);
    }
    const expr = entry[4].trim();
    current.push({
      low: parseInt(entry[2], 16), high: parseInt(entry[3], 16),
      expr: expr === '' ? undefined : expr.replace(/^\((.*)\)$/, '$1'),
    });
  }
  return lists;
}

/**
 * `llvm-dwarfdump --debug-info`'s resolved DW_AT_location and DW_AT_ranges lists, keyed by
 * "DIE offset/attribute name". Entries print as `[low, high): expression`.
 */
export function parseDwarfdumpLists(text: string): Map<string, ListEntry[]> {
  const out = new Map<string, ListEntry[]>();
  let die = -1;
  let key: string | undefined;
  for (const line of text.split('\n')) {
    const d = /^0x([0-9a-f]{8}):/.exec(line);
    if (d) {
      die = parseInt(d[1], 16);
      key = undefined;
      continue;
    }
    const attr = /^\s+(DW_AT_\w+)\s+\((.*)$/.exec(line);
    if (attr) {
      key = undefined;
      const isList = attr[1] === 'DW_AT_ranges' || attr[2].includes('loclist = ') || /^0x[0-9a-f]+: $/.test(attr[2]);
      if (!isList) continue;
      key = `${die}/${attr[1]}`;
      out.set(key, []);
      continue;
    }
    const entry = /^\s+\[0x([0-9a-f]+), 0x([0-9a-f]+)\)(?:: (.*?))?\)?$/.exec(line);
    if (entry && key) {
      out.get(key)?.push({ low: parseInt(entry[1], 16), high: parseInt(entry[2], 16), expr: entry[3] });
    }
  }
  return out;
}

/** llvm-dwarfdump's attributes: "DIE offset/attribute name" → the first line of the value. */
export function parseDwarfdumpAttrs(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let die = -1;
  for (const line of text.split('\n')) {
    const d = /^0x([0-9a-f]{8}): /.exec(line);
    if (d) die = parseInt(d[1], 16);
    const attr = /^\s+(DW_AT_\w+)\s+\((.*?)\)?$/.exec(line);
    if (attr) out.set(`${die}/${attr[1]}`, attr[2].replace(/^"(.*)"$/, '$1'));
  }
  return out;
}

/** One FDE of `readelf --debug-dump=frames-interp`: its range and its table. */
export interface ReadelfFde {
  readonly offset: number;
  readonly low: number;
  readonly high: number;
  /** Register column names as printed ('ra', 's0', …). */
  readonly columns: readonly string[];
  /** One row per printed location: the CFA rule and one rule string per column. */
  readonly rows: { readonly address: number; readonly cfa: string; readonly rules: readonly string[] }[];
}

/** The FDEs of one frame section of `frames-interp` output. */
export function parseFramesInterp(text: string, section: '.eh_frame' | '.debug_frame'): ReadelfFde[] {
  const fdes: ReadelfFde[] = [];
  const start = text.indexOf(`Contents of the ${section} section:`);
  if (start < 0) return fdes;
  const next = text.indexOf('Contents of the ', start + 1);
  const body = text.slice(start, next < 0 ? undefined : next);
  let current: { offset: number; low: number; high: number; columns: string[]; rows: ReadelfFde['rows'] } | undefined;
  for (const line of body.split('\n')) {
    const fde = /^([0-9a-f]{8}) [0-9a-f]+ [0-9a-f]+ FDE cie=[0-9a-f]+ pc=([0-9a-f]+)\.\.([0-9a-f]+)/.exec(line);
    if (fde) {
      current = { offset: parseInt(fde[1], 16), low: parseInt(fde[2], 16), high: parseInt(fde[3], 16), columns: [], rows: [] };
      fdes.push(current);
      continue;
    }
    if (/^[0-9a-f]{8} .* CIE/.test(line)) {
      current = undefined;
      continue;
    }
    if (!current) continue;
    const header = /^\s+LOC\s+CFA\s*(.*)$/.exec(line);
    if (header) {
      current.columns = header[1].trim() === '' ? [] : header[1].trim().split(/\s+/);
      continue;
    }
    const row = /^([0-9a-f]{16}) (.*)$/.exec(line);
    if (row) {
      const [cfa, ...rules] = row[2].trim().split(/\s+/);
      current.rows.push({ address: parseInt(row[1], 16), cfa, rules });
    }
  }
  return fdes;
}

/** gdb's `info breakpoints`: for each breakpoint number, its locations' addresses and lines. */
export function parseGdbBreakpoints(text: string): Map<number, { address: number; file: string; line: number }[]> {
  const out = new Map<number, { address: number; file: string; line: number }[]>();
  for (const line of text.split('\n')) {
    const m = /^(\d+)(?:\.\d+)?\s+.*?(0x[0-9a-f]+) in \S+ at (\S+):(\d+)/.exec(line);
    if (!m) continue;
    const n = Number(m[1]);
    if (!out.has(n)) out.set(n, []);
    out.get(n)?.push({ address: parseInt(m[2], 16), file: m[3], line: Number(m[4]) });
  }
  return out;
}
