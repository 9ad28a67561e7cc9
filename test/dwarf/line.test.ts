import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Dwarf, LineRow } from '../../src/dwarf';
import {
  BUILDS, DWARFDUMP, ElfFile, FIXTURES, GDB, OBJDUMP, SOURCES, buildFixture, hex, requireCommands, run,
} from './helpers';
import { parseDecodedLine, parseDwarfdumpLines } from './oracles';

/** Every row of every unit's line program, in file order, with its file's path. */
function allRows(dwarf: Dwarf): { row: LineRow; path: string }[] {
  const out: { row: LineRow; path: string }[] = [];
  for (const unit of dwarf.info.compileUnits) {
    const program = dwarf.lineProgram(unit);
    assert.ok(program, `unit ${hex(unit.offset)} has no line program`);
    for (const row of program.rows) out.push({ row, path: program.files[row.file]?.path ?? '?' });
  }
  return out;
}

/** Whether the line program has rows of more than one file at `address`. */
function fileSwitchesAt(dwarf: Dwarf, address: number): boolean {
  const files = new Set<string>();
  for (const { row, path } of allRows(dwarf)) if (row.address === address && !row.endSequence) files.add(path);
  return files.size > 1;
}

describe('dwarf: line tables', function () {
  for (const build of BUILDS) {
    describe(build.name, function () {
      let path: string;
      let dwarf: Dwarf;
      before(function () {
        requireCommands(this, build.compiler);
        path = buildFixture(build);
        dwarf = new ElfFile(path).dwarf();
      });

      it('has every row objdump --dwarf=decodedline has: file, line, address, is_stmt', function () {
        requireCommands(this, OBJDUMP);
        const expected = parseDecodedLine(run(OBJDUMP, ['--dwarf=decodedline', path]));
        const ours = allRows(dwarf).map(({ row, path: p }) => ({
          file: basename(p), line: row.endSequence ? undefined : row.line, address: row.address, isStmt: row.endSequence ? false : row.isStmt,
        }));
        assert.ok(expected.length > 50, `objdump printed only ${expected.length} rows`);
        assert.deepEqual(ours, expected);
      });

      it('has every column, discriminator and flag llvm-dwarfdump --debug-line has', function () {
        requireCommands(this, DWARFDUMP);
        const expected = parseDwarfdumpLines(run(DWARFDUMP, ['--debug-line', path]));
        const ours = allRows(dwarf).map(({ row }) => ({
          address: row.address, line: row.line, column: row.column, file: row.file, isa: row.isa, discriminator: row.discriminator,
          flags: [
            row.isStmt && 'is_stmt', row.basicBlock && 'basic_block', row.endSequence && 'end_sequence',
            row.prologueEnd && 'prologue_end', row.epilogueBegin && 'epilogue_begin',
          ].filter((f): f is string => typeof f === 'string'),
        }));
        assert.deepEqual(ours, expected);
      });

      it('maps each row address to the last row at that address', function () {
        let checked = 0;
        for (const unit of dwarf.info.compileUnits) {
          const program = dwarf.lineProgram(unit);
          if (!program) continue;
          const { rows, files } = program;
          for (let i = 0; i < rows.length; i++) {
            const row = rows[i];
            const next = rows[i + 1];
            // The row that wins at an address is the last one there before the address moves on.
            if (row.endSequence || (next && !next.endSequence && next.address === row.address)) continue;
            const at = dwarf.lineAt(row.address);
            assert.ok(at, `no line at ${hex(row.address)}`);
            assert.deepEqual([at.file, at.line, at.column, at.isStmt], [files[row.file].path, row.line, row.column, row.isStmt], hex(row.address));
            if (next) assert.equal(at.end, next.address, `end of the entry at ${hex(row.address)}`);
            checked++;
          }
        }
        assert.ok(checked > 20, `only ${checked} addresses checked`);
        const sources = dwarf.lineTable.files.map((f) => basename(f));
        for (const f of [...SOURCES, 'shapes.h']) assert.ok(sources.includes(f), `${f} in ${sources.join(' ')}`);
        assert.ok(dwarf.lineTable.files.every((f) => f.startsWith(FIXTURES)), 'full paths');
        assert.equal(dwarf.lineAt(0x100), undefined, 'an address outside every sequence has no line');
      });

      it('puts a breakpoint on each source line where gdb puts it', function () {
        requireCommands(this, GDB);
        // One gdb run sets a breakpoint on every line of every source and prints where each
        // landed; a line gdb refuses (past the last code of a file) prints nothing.
        const requests: string[] = [];
        for (const file of [...SOURCES, 'shapes.h']) {
          const lines = readFileSync(join(FIXTURES, file), 'utf8').split('\n').length;
          for (let line = 1; line <= lines; line++) requests.push(`${file}:${line}`);
        }
        const script = join(dirname(path), `breaks-${basename(path)}.py`);
        writeFileSync(script, [
          'import gdb, json',
          `for spec in ${JSON.stringify(requests)}:`,
          '    try:',
          '        bp = gdb.Breakpoint(spec)',
          '    except gdb.error:',
          '        continue',
          '    print("BP " + json.dumps([spec, [[l.address, l.source[1]] for l in bp.locations]]))',
        ].join('\n'));
        const out = run(GDB, ['-batch', '-nx', '-ex', 'set breakpoint pending off', '-ex', `source ${script}`, path], { timeout: 120_000 });
        const answered = new Set<string>();
        const mismatches: string[] = [];
        let explained = 0;
        for (const line of out.split('\n')) {
          if (!line.startsWith('BP ')) continue;
          const [spec, locations] = JSON.parse(line.slice(3)) as [string, [number, number][]];
          answered.add(spec);
          const [file, lineNo] = spec.split(':');
          const ours = dwarf.breakpointLocations(file, Number(lineNo))?.locations ?? [];
          const want = locations.map(([a, l]) => `${hex(a)}@${l}`).sort().join(' ');
          const got = ours.map((l) => `${hex(l.address)}@${l.line}`).sort().join(' ');
          if (want === got) continue;
          // gdb keeps one line table per source file and, where the program switches files at
          // an address, ends the old file's entries there, dropping the rows that file had at
          // that same address. The line then looks code-less to gdb, which moves on to a later
          // line. That is gdb's limitation, not ours: accept it where it applies.
          const gdbLater = ours.length > 0 && locations.every(([, l]) => ours.every((o) => l > o.line));
          if (gdbLater && ours.some((l) => fileSwitchesAt(dwarf, l.address))) {
            explained++;
            continue;
          }
          mismatches.push(`${spec}: gdb ${want}, ours ${got}`);
        }
        assert.ok(answered.size > 40, `gdb set only ${answered.size} breakpoints`);
        assert.deepEqual(mismatches, []);
        assert.ok(answered.size - explained > 30, `only ${answered.size - explained} lines agree exactly (${explained} by gdb's file-switch rule)`);
        // Where gdb finds no code at or after a line, neither do we.
        for (const spec of requests.filter((r) => !answered.has(r))) {
          const [file, lineNo] = spec.split(':');
          assert.equal(dwarf.breakpointLocations(file, Number(lineNo)), undefined, spec);
        }
      });

      it('puts a breakpoint on each function, and each place it was inlined, where gdb puts it', function () {
        requireCommands(this, GDB);
        const names = [...new Set([...dwarf.functions.map((f) => f.name), 'sq', 'scaled'])];
        const script = join(dirname(path), `functions-${basename(path)}.py`);
        writeFileSync(script, [
          'import gdb, json',
          `for name in ${JSON.stringify(names)}:`,
          '    bp = gdb.Breakpoint(name)',
          '    print("BP " + json.dumps([name, sorted(l.address for l in bp.locations)]))',
        ].join('\n'));
        const out = run(GDB, ['-batch', '-nx', '-ex', `source ${script}`, path], { timeout: 120_000 });
        const answers = out.split('\n').filter((l) => l.startsWith('BP ')).map((l) => JSON.parse(l.slice(3)) as [string, number[]]);
        assert.equal(answers.length, names.length);
        const mismatches = answers
          .map(([name, addresses]) => ({ name, want: addresses.map(hex).join(' '), got: dwarf.functionBreakpoints(name).map(hex).join(' ') }))
          .filter((m) => m.want !== m.got)
          .map((m) => `${m.name}: gdb ${m.want}, ours ${m.got}`);
        assert.deepEqual(mismatches, []);
        assert.ok(names.length >= 12, names.join(' '));
      });
    });
  }
});
