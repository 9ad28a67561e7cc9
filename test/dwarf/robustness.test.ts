import { strict as assert } from 'node:assert';
import {
  CallFrameInfo, DW_AT, DW_FORM, DW_OP, DW_TAG, DebugInfo, Dwarf, DwarfError, evaluateLocation, fdeTable,
  readLocationList, typeName, typeSize,
} from '../../src/dwarf';
import type { Die } from '../../src/dwarf';
import { Bytes, buildInfo, sections } from './builder';
import type { DieSpec } from './builder';
import { BUILDS, ElfFile, buildFixture, requireCommands } from './helpers';

/** Runs `f` and fails unless it completes or throws a DwarfError. */
function onlyDwarfErrors(what: string, f: () => void): boolean {
  try {
    f();
    return false;
  } catch (e) {
    if (e instanceof DwarfError) return true;
    throw new Error(`${what}: ${e instanceof Error ? e.stack : String(e)}`, { cause: e });
  }
}

/**
 * Touches everything a debugger would: DIEs, lines, functions, scopes, types, locations, CFI.
 * Returns how many of those operations failed with a DwarfError.
 */
function exercise(dwarf: Dwarf): number {
  let failed = 0;
  const errors = (f: () => void): void => {
    if (onlyDwarfErrors('exercise', f)) failed++;
  };
  const pcs: number[] = [];
  errors(() => {
    for (const unit of dwarf.info.units) {
      for (const die of unit.dies()) {
        errors(() => {
          if (die.tag === DW_TAG.structure_type || die.tag === DW_TAG.pointer_type || die.tag === DW_TAG.typedef || die.tag === DW_TAG.array_type) {
            const t = dwarf.types.type(die);
            typeName(t);
            typeSize(t);
          }
          const loc = die.value(DW_AT.location);
          if (loc?.kind === 'sectionOffset' || loc?.kind === 'loclistx') readLocationList(die.unit, loc);
          for (const a of die.attrs) if (a.value.kind === 'reference') die.ref(a.name);
        });
      }
    }
  });
  errors(() => {
    for (const fn of dwarf.functions) pcs.push(fn.entryPc, fn.lowPc + 2);
  });
  const regs: (bigint | undefined)[] = new Array(64).fill(1n << 40n);
  const memory = (_: bigint, size: number): Uint8Array => new Uint8Array(size).fill(0x10);
  for (const pc of pcs.slice(0, 40)) {
    errors(() => dwarf.lineAt(pc));
    errors(() => {
      const frames = [{ pc, regs, returnAddress: false }, { pc: pc + 4, regs, returnAddress: true }];
      for (const f of dwarf.inlineFrames(pc)) for (const v of f.variables) errors(() => dwarf.locate(v, frames, 0, memory));
    });
    errors(() => dwarf.backtrace({ pc, regs, returnAddress: false }, memory, 16));
  }
  errors(() => dwarf.breakpointLocations('main.c', 30));
  errors(() => {
    for (const fde of dwarf.cfi.fdes.slice(0, 200)) errors(() => fdeTable(fde));
  });
  return failed + dwarf.warnings.length;
}

/** A small deterministic PRNG (xorshift32), so a failure can be reproduced from its seed. */
function prng(seed: number): () => number {
  let x = seed || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

describe('dwarf: malformed input', function () {
  const cu = (children: DieSpec[]): DieSpec => ({ tag: DW_TAG.compile_unit, attrs: [[DW_AT.name, DW_FORM.string, 'bad.c']], children });
  const load = (map: Record<string, Uint8Array>): Dwarf => Dwarf.load(sections(map));

  it('rejects broken unit headers, abbrevs, forms and references with DwarfError', function () {
    const good = buildInfo([{ version: 5, root: cu([{ tag: DW_TAG.variable, attrs: [[DW_AT.name, DW_FORM.string, 'x'], [DW_AT.type, DW_FORM.ref4, { ref: 'x' }]], label: 'x' }]) }]);
    const cases: [string, () => unknown][] = [
      ['truncated unit', () => new DebugInfo({ info: good.info.subarray(0, good.info.length - 3), abbrev: good.abbrev })],
      ['reserved initial length', () => new DebugInfo({ info: new Bytes().u32(0xfffffff0).u16(5).done(), abbrev: good.abbrev })],
      ['version 6', () => new DebugInfo({ info: new Bytes().u32(8).u16(6).u8(1, 8).u32(0).done(), abbrev: good.abbrev })],
      ['address size 3', () => new DebugInfo({ info: new Bytes().u32(8).u16(5).u8(1, 3).u32(0).done(), abbrev: good.abbrev })],
      ['missing .debug_abbrev', () => load({ '.debug_info': good.info }).info.units[0].root],
      ['unknown abbrev code', () => load({ '.debug_info': good.info, '.debug_abbrev': new Bytes().uleb(9).uleb(DW_TAG.compile_unit).u8(0, 0, 0, 0).done() }).info.units[0].root],
      ['children flag 2', () => load({ '.debug_info': good.info, '.debug_abbrev': new Bytes().uleb(1).uleb(DW_TAG.compile_unit).u8(2, 0, 0, 0).done() }).info.units[0].root],
      ['unknown form', () => load({ '.debug_info': good.info, '.debug_abbrev': new Bytes().uleb(1).uleb(DW_TAG.compile_unit).u8(1).uleb(DW_AT.name).uleb(0x7f).u8(0, 0, 0).done() }).info.units[0].root],
      ['strp without .debug_str', () => {
        const strp = buildInfo([{ version: 5, root: cu([{ tag: DW_TAG.variable, attrs: [[DW_AT.name, DW_FORM.strp, 'x']] }]) }]);
        return load({ '.debug_info': strp.info, '.debug_abbrev': strp.abbrev }).info.units[0].root;
      }],
      ['dangling reference', () => {
        const bad = buildInfo([{ version: 5, root: cu([{ tag: DW_TAG.variable, attrs: [[DW_AT.type, DW_FORM.ref4, { ref: 'x' }]] }, { tag: DW_TAG.base_type, label: 'x' }]) }]);
        const info = new Uint8Array(bad.info);
        const dwarf = load({ '.debug_info': info, '.debug_abbrev': bad.abbrev });
        const v = dwarf.info.units[0].root.children[0];
        const at = v.attr(DW_AT.type)?.offset as number;
        info[at] = 0x7f; // point into the middle of nowhere
        return load({ '.debug_info': info, '.debug_abbrev': bad.abbrev }).info.units[0].root.children[0].ref(DW_AT.type);
      }],
    ];
    for (const [what, f] of cases) assert.ok(onlyDwarfErrors(what, () => f()), `${what}: expected a DwarfError`);
    // Loading the whole program keeps the units before a broken one and says why.
    const two = new Uint8Array([...good.info, ...new Bytes().u32(8).u16(6).u8(1, 8).u32(0).done()]);
    const dwarf = load({ '.debug_info': two, '.debug_abbrev': good.abbrev });
    assert.equal(dwarf.info.units.length, 1);
    assert.match(dwarf.warnings.join('\n'), /unsupported version 6/);
  });

  it('survives type cycles and absurd nesting', function () {
    // A typedef naming itself, and a const naming itself.
    const built = buildInfo([{ version: 5, root: cu([
      { tag: DW_TAG.typedef, label: 'loop', attrs: [[DW_AT.name, DW_FORM.string, 'loop'], [DW_AT.type, DW_FORM.ref4, { ref: 'loop' }]] },
      { tag: DW_TAG.const_type, label: 'c', attrs: [[DW_AT.type, DW_FORM.ref4, { ref: 'c' }]] },
    ]) }]);
    const dwarf = load({ '.debug_info': built.info, '.debug_abbrev': built.abbrev });
    const [loop, c] = dwarf.info.units[0].root.children.map((d) => dwarf.types.type(d));
    assert.equal(typeName(loop), 'loop');
    assert.throws(() => typeSize(loop), DwarfError);
    assert.throws(() => typeName(c), DwarfError);

    // 20000 nested lexical blocks, and a chain of 2000 pointer types.
    let block: DieSpec = { tag: DW_TAG.variable, attrs: [[DW_AT.name, DW_FORM.string, 'deep']] };
    for (let i = 0; i < 20000; i++) block = { tag: DW_TAG.lexical_block, attrs: [[DW_AT.low_pc, DW_FORM.addr, 0x1000n], [DW_AT.high_pc, DW_FORM.data4, 0x10]], children: [block] };
    const types: DieSpec[] = [{ tag: DW_TAG.base_type, label: 'p0', attrs: [[DW_AT.name, DW_FORM.string, 'int']] }];
    for (let i = 1; i < 2000; i++) types.push({ tag: DW_TAG.pointer_type, label: `p${i}`, attrs: [[DW_AT.type, DW_FORM.ref4, { ref: `p${i - 1}` }]] });
    const deep = buildInfo([{ version: 5, root: cu([
      { tag: DW_TAG.subprogram, attrs: [[DW_AT.name, DW_FORM.string, 'f'], [DW_AT.low_pc, DW_FORM.addr, 0x1000n], [DW_AT.high_pc, DW_FORM.data4, 0x10]], children: [block] },
      ...types,
    ]) }]);
    const d = load({ '.debug_info': deep.info, '.debug_abbrev': deep.abbrev });
    assert.equal(d.scopeChain(0x1004).length, 20001);
    assert.deepEqual(d.visibleVariables(0x1004).map((v) => v.name), ['deep']);
    const last = d.info.units[0].root.children[2000] as Die;
    assert.throws(() => d.types.type(last), DwarfError);
  });

  it('rejects broken CFI and line programs with DwarfError', function () {
    const cie = new Bytes().u32(0).u32(0xffffffff).u8(3).cstr('').uleb(1).sleb(-8).uleb(1).u8(0x0c, 2, 0);
    cie.patch(0, cie.length - 4, 4);
    const withFde = (program: number[], ciePointer = 0): Uint8Array => {
      const b = new Bytes().bytes(cie.out);
      const at = b.length;
      b.u32(0).u32(ciePointer).u64(0x1000).u64(0x10).bytes(program);
      b.patch(at, b.length - at - 4, 4);
      return b.done();
    };
    const cases: [string, () => unknown][] = [
      ['restore_state without remember_state', () => fdeTable(new CallFrameInfo({ frame: withFde([0x0b]) }).fdes[0])],
      ['unknown CFA instruction', () => fdeTable(new CallFrameInfo({ frame: withFde([0x3f]) }).fdes[0])],
      ['CIE pointer out of range', () => new CallFrameInfo({ frame: withFde([], 0x999) })],
      ['CIE pointer at an FDE', () => new CallFrameInfo({ frame: withFde([], cie.length) })],
      ['truncated operand', () => fdeTable(new CallFrameInfo({ frame: withFde([0x03, 0x01]) }).fdes[0])],
      ['line_range 0', () => {
        const b = new Bytes().u32(0).u16(4).u32(0);
        b.u8(1, 1, 1, 0, 0, 13).u8(0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1).u8(0, 0);
        b.patch(6, b.length - 10, 4);
        b.u8(20);
        b.patch(0, b.length - 4, 4);
        return load({ '.debug_line': b.done() }).lineProgram({ root: { value: () => ({ kind: 'sectionOffset', value: 0 }) }, compDir: '', name: '', addressSize: 8, indexedString: () => '' } as never);
      }],
    ];
    for (const [what, f] of cases) assert.ok(onlyDwarfErrors(what, () => f()), `${what}: expected a DwarfError`);
    // Location-changing or restoring instructions make no sense in a CIE.
    const badCie = new Bytes().u32(0).u32(0xffffffff).u8(3).cstr('').uleb(1).sleb(-8).uleb(1).u8(0x41);
    badCie.patch(0, badCie.length - 4, 4);
    const frame = new Bytes().bytes(badCie.out).u32(28).u32(0).u64(0x1000).u64(0x10).u8(0, 0, 0, 0).done();
    assert.throws(() => fdeTable(new CallFrameInfo({ frame }).fdes[0]), DwarfError);
    assert.throws(() => evaluateLocation(new Uint8Array([DW_OP.call2, 0, 0]), { readRegister: () => 0n, readMemory: () => undefined }), DwarfError);
  });

  for (const build of BUILDS.filter((b) => b.flags.includes('-O2'))) {
    it(`only ever throws DwarfError on randomly corrupted sections (${build.name})`, function () {
      requireCommands(this, build.compiler);
      const elf = new ElfFile(buildFixture(build));
      const names = ['.debug_info', '.debug_abbrev', '.debug_line', '.debug_str', '.debug_line_str', '.debug_loclists', '.debug_loc',
        '.debug_rnglists', '.debug_ranges', '.debug_frame', '.debug_addr', '.debug_str_offsets', '.eh_frame'].filter((n) => elf.data(n));
      let detected = 0;
      let runs = 0;
      for (const name of names) {
        const original = elf.data(name) as Uint8Array;
        for (let seed = 1; seed <= 25; seed++) {
          const random = prng(seed * 7919 + name.length);
          let bytes = new Uint8Array(original);
          if (seed % 5 === 0) {
            bytes = bytes.subarray(0, Math.floor(random() * bytes.length));
          } else {
            // Corrupt a few bytes near each other (a field) or spread out, depending on the seed.
            const count = 1 + Math.floor(random() * 8);
            const base = Math.floor(random() * bytes.length);
            for (let i = 0; i < count; i++) {
              const at = seed % 2 ? Math.min(bytes.length - 1, base + i) : Math.floor(random() * bytes.length);
              bytes[at] = random() < 0.3 ? 0xff : Math.floor(random() * 256);
            }
          }
          const corrupted = bytes;
          const dwarf = (): Dwarf => Dwarf.load((n) => (n === name ? corrupted : elf.data(n)), (n) => elf.section(n)?.addr);
          let failed = 0;
          if (onlyDwarfErrors(`${name} seed ${seed}`, () => void (failed = exercise(dwarf())))) failed++;
          if (failed > 0) detected++;
          runs++;
        }
      }
      assert.ok(runs >= 200, `only ${runs} runs`);
      // Not every corruption is detectable (a changed string or line number is still valid),
      // but many must be, or the corruption did not reach the readers.
      assert.ok(detected > runs / 4, `only ${detected} of ${runs} corruptions detected`);
    });
  }
});

