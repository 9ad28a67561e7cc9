import { strict as assert } from 'node:assert';
import { dwarfRegName, fdeTable } from '../../src/dwarf';
import type { CfaRule, CfiRow, Dwarf, Fde, RegisterRule } from '../../src/dwarf';
import { BUILDS, ElfFile, READELF, buildFixture, hex, requireCommands, run } from './helpers';
import { parseFramesInterp } from './oracles';
import type { ReadelfFde } from './oracles';

/** A CFA rule the way readelf's frames-interp prints it. */
function cfaText(rule: CfaRule): string {
  return rule.kind === 'register' ? `${dwarfRegName(rule.reg)}${rule.offset >= 0 ? '+' : ''}${rule.offset}` : 'exp';
}

/** A register rule the way readelf prints it; registers without a rule print as undefined. */
function ruleText(rule: RegisterRule | undefined): string {
  if (!rule) return 'u';
  switch (rule.kind) {
    case 'undefined': return 'u';
    case 'sameValue': return 's';
    case 'offset': return `c${rule.offset >= 0 ? '+' : ''}${rule.offset}`;
    case 'valOffset': return `v${rule.offset >= 0 ? '+' : ''}${rule.offset}`;
    case 'register': return dwarfRegName(rule.reg);
    case 'expression': return 'exp';
    case 'valExpression': return 'vexp';
  }
}

function rowText(row: CfiRow, columns: readonly string[]): string {
  const byName = new Map<string, RegisterRule>();
  for (const [reg, rule] of row.registers) byName.set(dwarfRegName(reg), rule);
  return [hex(row.address), cfaText(row.cfa), ...columns.map((c) => ruleText(byName.get(c)))].join(' ');
}

function compareSection(dwarf: Dwarf, expected: ReadelfFde[], eh: boolean): number {
  const ours = dwarf.cfi.fdes.filter((f) => f.cie.eh === eh);
  // readelf also lists the FDEs of code the linker discarded (start 0, or empty); we drop those.
  const live = expected.filter((f) => f.low !== 0 && f.high > f.low);
  assert.deepEqual(ours.map((f) => `${hex(f.low)}..${hex(f.high)}`).sort(), live.map((f) => `${hex(f.low)}..${hex(f.high)}`).sort(), 'FDE ranges');
  const byStart = new Map<number, Fde>(ours.map((f) => [f.low, f]));
  let rows = 0;
  for (const want of live) {
    const fde = byStart.get(want.low) as Fde;
    const table = fdeTable(fde);
    const where = `FDE ${hex(want.offset)} (${hex(want.low)})`;
    if (want.rows.length === 0) {
      // readelf prints no table for an FDE without instructions (padding nops aside): the
      // CIE's initial rules hold throughout.
      assert.ok(fde.instructions.every((b) => b === 0), `${where}: readelf printed no rows`);
      assert.equal(table.length, 1, `${where}: rows`);
      continue;
    }
    // readelf prints a row wherever the location advances, even without a change; compare
    // each printed row with the rules we have in effect at its address, and check our own
    // row boundaries are among readelf's.
    for (const row of want.rows) {
      const at = table.find((r) => r.address <= row.address && row.address < r.end);
      assert.ok(at, `${where}: no row at ${hex(row.address)}`);
      assert.equal(rowText({ ...at, address: row.address }, want.columns), [hex(row.address), row.cfa, ...row.rules].join(' '), where);
      assert.deepEqual(dwarf.cfi.rowAt(row.address)?.row.cfa, at.cfa, `${where}: rowAt(${hex(row.address)})`);
      rows++;
    }
    const printed = new Set(want.rows.map((r) => r.address));
    for (const r of table) assert.ok(printed.has(r.address), `${where}: our row at ${hex(r.address)} is not in readelf's table`);
  }
  return rows;
}

describe('dwarf: call frame information against readelf', function () {
  for (const build of BUILDS) {
    it(`has every FDE and CFA rule row of .debug_frame and .eh_frame (${build.name})`, function () {
      requireCommands(this, build.compiler, READELF);
      const path = buildFixture(build);
      const text = run(READELF, ['--debug-dump=frames-interp', path]);
      const dwarf = new ElfFile(path).dwarf();
      const ehRows = compareSection(dwarf, parseFramesInterp(text, '.eh_frame'), true);
      const debugRows = compareSection(dwarf, parseFramesInterp(text, '.debug_frame'), false);
      assert.ok(ehRows > 1000, `only ${ehRows} .eh_frame rows compared`);
      assert.ok(debugRows > 10, `only ${debugRows} .debug_frame rows compared`);
      assert.deepEqual(dwarf.warnings, []);
    });
  }
});
