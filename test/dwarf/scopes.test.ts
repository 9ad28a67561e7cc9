import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Dwarf } from '../../src/dwarf';
import { BUILDS, ElfFile, GDB, buildFixture, hex, requireCommands, run } from './helpers';

/** Every halfword address of every function with code (RVC instructions are 2 bytes). */
function codeAddresses(dwarf: Dwarf): number[] {
  const out: number[] = [];
  for (const fn of dwarf.functions) for (const r of fn.ranges) for (let a = r.low; a < r.high; a += 2) out.push(a);
  return out;
}

/**
 * For each pc, gdb's block chain: the functions (inlined ones first) and the names of the
 * variables visible in the innermost one, innermost block first.
 */
function gdbScopes(path: string, pcs: readonly number[]): { functions: string[]; variables: string[] }[] {
  const script = join(dirname(path), `scopes-${basename(path)}.py`);
  writeFileSync(script, [
    'import gdb, json',
    `for pc in ${JSON.stringify(pcs)}:`,
    '    block = gdb.block_for_pc(pc)',
    '    functions, variables, innermost = [], [], True',
    '    while block is not None and not block.is_static and not block.is_global:',
    '        if innermost:',
    '            variables += [s.name for s in block if (s.is_argument or s.is_variable or s.is_constant) and s.name not in variables]',
    '        if block.function is not None:',
    '            functions.append(block.function.name)',
    '            innermost = False',
    '        block = block.superblock',
    '    print("S " + json.dumps({"functions": functions, "variables": variables}))',
  ].join('\n'));
  const out = run(GDB, ['-batch', '-nx', '-ex', `source ${script}`, path], { timeout: 300_000 });
  return out.split('\n').filter((l) => l.startsWith('S ')).map((l) => JSON.parse(l.slice(2)));
}

describe('dwarf: functions, inlined calls and scopes against gdb', function () {
  for (const build of BUILDS) {
    it(`finds the same function, inline chain and visible variables at every pc (${build.name})`, function () {
      requireCommands(this, build.compiler, GDB);
      const path = buildFixture(build);
      const dwarf = new ElfFile(path).dwarf();
      const pcs = codeAddresses(dwarf);
      const expected = gdbScopes(path, pcs);
      assert.equal(expected.length, pcs.length, 'gdb answered for every pc');
      const mismatches: string[] = [];
      pcs.forEach((pc, i) => {
        const frames = dwarf.inlineFrames(pc);
        const functions = frames.map((f) => f.name);
        const variables = frames[0]?.variables.map((v) => v.name) ?? [];
        const want = expected[i];
        if (functions.join(' < ') !== want.functions.join(' < ')) {
          mismatches.push(`${hex(pc)}: functions ours ${functions.join(' < ')}, gdb ${want.functions.join(' < ')}`);
        }
        // Same set of names: the order within one block is the DIE order for both, but gdb
        // may list a block's symbols in its own (hashed) order.
        if ([...variables].sort().join(' ') !== [...want.variables].sort().join(' ')) {
          mismatches.push(`${hex(pc)}: variables ours ${variables.join(' ')}, gdb ${want.variables.join(' ')}`);
        }
      });
      assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} mismatches`);
      assert.ok(pcs.length > 250, `only ${pcs.length} pcs`);
      if (build.flags.includes('-O2')) assert.ok(pcs.some((pc) => dwarf.inlineFrames(pc).length > 1), 'no inlined call found');
    });
  }
});
