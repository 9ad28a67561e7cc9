import type { LineProgram, LineRow } from './line';
import { pathMatches } from './paths';

/** Where a pc is in the source, as the line table says. */
export interface LineLocation {
  /** The row's address range [address, end): the instructions of this line entry. */
  readonly address: number;
  readonly end: number;
  /** Full path of the source file. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly isStmt: boolean;
  readonly discriminator: number;
}

/** Breakpoint addresses for a source line: `line` is the line actually used. */
export interface LineAddresses {
  readonly file: string;
  readonly line: number;
  /** Every is_stmt address of that line, ascending, without duplicates. */
  readonly addresses: readonly number[];
}

/** One address-ordered run of rows from a line program, ending before `high`. */
interface Sequence {
  readonly low: number;
  readonly high: number;
  /** Rows sorted by address; the end_sequence row is not included. */
  readonly rows: readonly LineRow[];
  /** Full paths of the owning program's file table, by index. */
  readonly files: readonly string[];
}

/**
 * The line tables of all units, merged: address → source location, and source line →
 * addresses. Built from parsed line programs; lookups are binary searches.
 */
export class LineTable {
  private readonly sequences: Sequence[] = [];
  /** maxHigh[i] = the largest `high` among sequences 0..i, to bound backward scans. */
  private readonly maxHigh: number[] = [];
  private byFile: Map<string, Map<number, number[]>> | undefined;

  constructor(programs: readonly LineProgram[]) {
    for (const program of programs) {
      const files = program.files.map((f) => f.path);
      let rows: LineRow[] = [];
      for (const row of program.rows) {
        if (!row.endSequence) {
          rows.push(row);
          continue;
        }
        if (rows.length > 0) {
          // Rows are in address order in well-formed programs; a stable sort repairs the rest
          // without reordering rows that share an address.
          rows.sort((a, b) => a.address - b.address);
          const low = rows[0].address;
          if (row.address > low) this.sequences.push({ low, high: row.address, rows, files });
        }
        rows = [];
      }
    }
    this.sequences.sort((a, b) => a.low - b.low);
    let max = -Infinity;
    for (const s of this.sequences) {
      max = Math.max(max, s.high);
      this.maxHigh.push(max);
    }
  }

  /** The location of `pc`: the last row at or below it in the sequence that contains it. */
  lookup(pc: number): LineLocation | undefined {
    const seq = this.sequenceAt(pc);
    if (!seq) return undefined;
    const { rows } = seq;
    let lo = 0;
    let hi = rows.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (rows[mid].address <= pc) lo = mid;
      else hi = mid - 1;
    }
    const row = rows[lo];
    // Several rows may share an address (gcc emits one per statement and view); the last one
    // is what executes there, and the range ends at the next higher address.
    let next = lo + 1;
    while (next < rows.length && rows[next].address === row.address) next++;
    const end = next < rows.length ? rows[next].address : seq.high;
    return {
      address: row.address, end, file: seq.files[row.file] ?? '', line: row.line, column: row.column,
      isStmt: row.isStmt, discriminator: row.discriminator,
    };
  }

  /** All rows of the sequence containing `pc`, for callers that step through a range. */
  rowsAround(pc: number): { rows: readonly LineRow[]; files: readonly string[]; high: number } | undefined {
    const seq = this.sequenceAt(pc);
    return seq ? { rows: seq.rows, files: seq.files, high: seq.high } : undefined;
  }

  /** Every source file that has line rows. */
  get files(): string[] {
    return [...this.index().keys()];
  }

  /**
   * The is_stmt addresses of `line` in files matching `file` (see `pathMatches`). When the line
   * has no code, the next line below it that does is used instead, as debuggers do for a
   * breakpoint on a blank line or a comment.
   */
  lineAddresses(file: string, line: number): LineAddresses | undefined {
    let best: { path: string; line: number } | undefined;
    for (const [path, lines] of this.index()) {
      if (!pathMatches(path, file)) continue;
      for (const l of lines.keys()) {
        if (l >= line && (!best || l < best.line)) best = { path, line: l };
      }
    }
    if (!best) return undefined;
    const addresses = new Set<number>();
    for (const [path, lines] of this.index()) {
      if (pathMatches(path, file)) for (const a of lines.get(best.line) ?? []) addresses.add(a);
    }
    return { file: best.path, line: best.line, addresses: [...addresses].sort((a, b) => a - b) };
  }

  private sequenceAt(pc: number): Sequence | undefined {
    const seqs = this.sequences;
    let lo = 0;
    let hi = seqs.length - 1;
    let last = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (seqs[mid].low <= pc) {
        last = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    for (let i = last; i >= 0 && this.maxHigh[i] > pc; i--) {
      if (seqs[i].high > pc) return seqs[i];
    }
    return undefined;
  }

  /** path → line → is_stmt addresses, built on first use. */
  private index(): Map<string, Map<number, number[]>> {
    if (this.byFile) return this.byFile;
    const byFile = new Map<string, Map<number, number[]>>();
    for (const seq of this.sequences) {
      for (const row of seq.rows) {
        if (!row.isStmt) continue;
        const path = seq.files[row.file];
        if (path === undefined) continue;
        let lines = byFile.get(path);
        if (!lines) byFile.set(path, (lines = new Map()));
        const list = lines.get(row.line);
        if (list) list.push(row.address);
        else lines.set(row.line, [row.address]);
      }
    }
    this.byFile = byFile;
    return byFile;
  }
}
