import { strict as assert } from 'node:assert';
import { DW_AT, dieRanges, formatExpression, readLocationList } from '../../src/dwarf';
import type { Die, Dwarf } from '../../src/dwarf';
import { BUILDS, DWARFDUMP, ElfFile, GCC, READELF, buildFixture, hex, requireCommands, run } from './helpers';
import { parseDwarfdumpAttrs, parseDwarfdumpLists, parseReadelfLists } from './oracles';

function* allDies(dwarf: Dwarf): Generator<Die> {
  for (const unit of dwarf.info.units) yield* unit.dies();
}

function show(entries: readonly { low: number; high: number; expr?: unknown }[], withExpr: boolean): string[] {
  return entries.filter((e) => e.high > e.low).map((e) => `[${hex(e.low)}, ${hex(e.high)})${withExpr ? ` ${e.expr}` : ''}`);
}

describe('dwarf: range and location lists', function () {
  for (const build of BUILDS) {
    describe(build.name, function () {
      let path: string;
      let dwarf: Dwarf;
      before(function () {
        requireCommands(this, build.compiler);
        path = buildFixture(build);
        dwarf = new ElfFile(path).dwarf();
      });

      it('resolves every code range and location list as llvm-dwarfdump does', function () {
        requireCommands(this, DWARFDUMP);
        const text = run(DWARFDUMP, ['--debug-info', path]);
        const lists = parseDwarfdumpLists(text);
        const attrs = parseDwarfdumpAttrs(text);
        let ranges = 0;
        let locations = 0;
        for (const die of allDies(dwarf)) {
          const where = `DIE ${hex(die.offset)}`;
          if (die.has(DW_AT.ranges)) {
            const want = lists.get(`${die.offset}/DW_AT_ranges`);
            assert.ok(want, `${where}: llvm-dwarfdump has no ranges`);
            assert.deepEqual(show(dieRanges(die), false), show(want, false), `${where} DW_AT_ranges`);
            ranges++;
          } else if (die.has(DW_AT.high_pc)) {
            const low = BigInt(attrs.get(`${die.offset}/DW_AT_low_pc`) as string);
            const high = BigInt(attrs.get(`${die.offset}/DW_AT_high_pc`) as string);
            const want = high > low ? [`[${hex(low)}, ${hex(high)})`] : [];
            assert.deepEqual(show(dieRanges(die), false), want, `${where} low/high pc`);
            ranges++;
          }
          const loc = die.value(DW_AT.location);
          if (loc && (loc.kind === 'sectionOffset' || loc.kind === 'loclistx')) {
            const want = lists.get(`${die.offset}/DW_AT_location`);
            assert.ok(want, `${where}: llvm-dwarfdump has no location list`);
            assert.deepEqual(show(readLocationList(die.unit, loc).entries, false), show(want, false), `${where} DW_AT_location`);
            locations++;
          }
        }
        assert.ok(ranges > 10, `only ${ranges} DIEs with code ranges`);
        if (build.flags.includes('-O2')) assert.ok(locations > 10, `only ${locations} location lists`);
      });

      // clang writes base-relative pairs, which readelf prints unresolved: gcc only.
      if (build.compiler === GCC) it('has the entries and expressions readelf prints', function () {
        requireCommands(this, READELF);
        const loc = parseReadelfLists(run(READELF, ['--debug-dump=loc', path]));
        const rng = parseReadelfLists(run(READELF, ['--debug-dump=Ranges', path]));
        let compared = 0;
        for (const die of allDies(dwarf)) {
          const enc = { addressSize: die.unit.addressSize, offsetSize: die.unit.header.offsetSize };
          const l = die.value(DW_AT.location);
          if (l?.kind === 'sectionOffset') {
            const ours = readLocationList(die.unit, l).entries.map((e) => ({ low: e.low, high: e.high, expr: formatExpression(e.expr, enc, die.unit.offset) }));
            assert.deepEqual(show(ours, true), show(loc.get(l.value) ?? [], true), `DIE ${hex(die.offset)} location list ${hex(l.value)}`);
            compared++;
          }
          const r = die.value(DW_AT.ranges);
          // readelf prints only some of the range lists of a multi-unit .debug_rnglists.
          if (r?.kind === 'sectionOffset' && rng.has(r.value)) {
            assert.deepEqual(show(dieRanges(die), false), show(rng.get(r.value) ?? [], false), `DIE ${hex(die.offset)} ranges ${hex(r.value)}`);
            compared++;
          }
        }
        if (build.flags.includes('-O2')) assert.ok(compared > 10, `only ${compared} lists compared`);
      });
    });
  }
});
