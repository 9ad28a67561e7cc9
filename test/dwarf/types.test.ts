import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DW_TAG, stripTypedefs, typeName, typeSize } from '../../src/dwarf';
import type { Dwarf, Scope, Type, Variable } from '../../src/dwarf';
import { BUILDS, ElfFile, GDB, buildFixture, requireCommands, run } from './helpers';

/**
 * A type name with spelling differences that carry no meaning removed. gdb writes a const
 * pointer `char * const` where C (and we) write `char *const`; and gcc names base types
 * `long unsigned int` where clang (and gdb, whatever the DWARF says) write `unsigned long`.
 * We keep the name the compiler wrote, so compare both in one spelling.
 */
function canonical(name: string): string {
  return name
    .replace(/\* (const|volatile|restrict)/g, '*$1')
    .replace(/\blong long unsigned int\b/g, 'unsigned long long')
    .replace(/\blong unsigned int\b/g, 'unsigned long')
    .replace(/\bshort unsigned int\b/g, 'unsigned short')
    .replace(/\blong long int\b/g, 'long long')
    .replace(/\blong int\b/g, 'long')
    .replace(/\bshort int\b/g, 'short');
}

interface TypeQuery {
  readonly kind: 'var' | 'type';
  /** For 'var': a pc inside the variable's scope (omitted for globals); for 'type': unused. */
  readonly pc?: number;
  readonly name: string;
  readonly line?: number;
}

/** What gdb says about each query: a variable's type and size, or an aggregate's fields. */
function askGdb(path: string, queries: readonly TypeQuery[]): unknown[] {
  const script = join(dirname(path), `types-${basename(path)}.py`);
  writeFileSync(script, [
    'import gdb, json',
    `queries = json.loads(${JSON.stringify(JSON.stringify(queries))})`,
    'def fields(t):',
    '    t = t.strip_typedefs()',
    '    if t.code == gdb.TYPE_CODE_ENUM:',
    '        return [[f.name, f.enumval] for f in t.fields()]',
    '    return [[f.name, str(f.type), f.bitpos, f.bitsize] for f in t.fields()]',
    'for q in queries:',
    '    try:',
    '        if q["kind"] == "type":',
    '            t = gdb.parse_and_eval("(%s *)0" % q["name"]).type.target()',
    '            print("Q " + json.dumps([str(t), t.sizeof, fields(t)]))',
    '        else:',
    '            block = gdb.block_for_pc(q["pc"]) if "pc" in q else None',
    '            sym = gdb.lookup_symbol(q["name"], block)[0] if block else (gdb.lookup_global_symbol(q["name"]) or gdb.lookup_static_symbol(q["name"]))',
    '            address = int(sym.value().address) if sym is not None and block is None else None',
    '            print("Q " + json.dumps(None if sym is None else [str(sym.type), sym.type.sizeof, sym.line, address]))',
    '    except gdb.error:',
    '        print("Q " + json.dumps(None))',
  ].join('\n'));
  const out = run(GDB, ['-batch', '-nx', '-ex', `source ${script}`, path], { timeout: 120_000 });
  return out.split('\n').filter((l) => l.startsWith('Q ')).map((l) => JSON.parse(l.slice(2)));
}

function allScopes(dwarf: Dwarf): Scope[] {
  const out: Scope[] = [];
  const stack: Scope[] = [...dwarf.functions];
  while (stack.length > 0) {
    const s = stack.pop() as Scope;
    out.push(s);
    stack.push(...s.children);
  }
  return out;
}

/** Our view of an aggregate or enum, in the shape the gdb script prints. */
function describeType(t: Type): unknown {
  const fields = t.kind === 'enum'
    ? t.enumerators.map((e) => [e.name, Number(e.value)])
    : t.kind === 'struct' || t.kind === 'union' ? t.members.map((m) => [m.name ?? null, canonical(typeName(m.type)), m.bitOffset ?? (m.offset ?? 0) * 8, m.bitSize ?? 0]) : [];
  return [typeName(t), typeSize(t) ?? 0, fields];
}

describe('dwarf: types against gdb', function () {
  for (const build of BUILDS) {
    it(`names every variable's type, and lays out every struct, union and enum, as gdb does (${build.name})`, function () {
      requireCommands(this, build.compiler, GDB);
      const path = buildFixture(build);
      const dwarf = new ElfFile(path).dwarf();
      const vars: { v: Variable; query: TypeQuery }[] = [];
      for (const v of dwarf.globals) vars.push({ v, query: { kind: 'var', name: v.name } });
      for (const scope of allScopes(dwarf)) {
        for (const v of scope.variables) vars.push({ v, query: { kind: 'var', name: v.name, pc: scope.ranges[0].low, line: v.declLine } });
      }
      const aggregates = new Map<string, Type>();
      for (const unit of dwarf.info.compileUnits) {
        for (const die of unit.dies()) {
          if ((die.tag === DW_TAG.structure_type || die.tag === DW_TAG.union_type || die.tag === DW_TAG.enumeration_type) && die.name) {
            const t = dwarf.types.type(die);
            if (!(t.kind === 'struct' && t.declaration)) aggregates.set(typeName(t), t);
          }
        }
      }
      const queries = [...vars.map((x) => x.query), ...[...aggregates.keys()].map((name): TypeQuery => ({ kind: 'type', name }))];
      const answers = askGdb(path, queries);
      assert.equal(answers.length, queries.length, 'gdb answered every query');

      const mismatches: string[] = [];
      let compared = 0;
      let addresses = 0;
      vars.forEach(({ v, query }, i) => {
        const answer = answers[i] as [string, number, number, number | null] | null;
        // gdb finds the innermost symbol of that name at the pc; compare only when it is ours.
        if (!answer || (query.line !== undefined && answer[2] !== query.line)) return;
        if (answer[3] !== null) {
          // A global's address: DW_OP_addr from gcc, DW_OP_addrx through .debug_addr from clang.
          const loc = dwarf.locate(v, [{ pc: 0, regs: [], returnAddress: false }], 0, () => undefined);
          if (loc.kind !== 'memory' || loc.address !== BigInt(answer[3])) mismatches.push(`${v.name}: address ours ${JSON.stringify(loc, (_, x) => (typeof x === 'bigint' ? `0x${x.toString(16)}` : x))}, gdb 0x${answer[3].toString(16)}`);
          addresses++;
        }
        const ours = `${canonical(typeName(v.type))} (${typeSize(v.type) ?? 0})`;
        const theirs = `${canonical(answer[0])} (${answer[1]})`;
        if (ours !== theirs) mismatches.push(`${v.name}@${query.pc?.toString(16) ?? 'global'}: ours ${ours}, gdb ${theirs}`);
        compared++;
      });
      [...aggregates.values()].forEach((t, i) => {
        const answer = answers[vars.length + i] as [string, number, unknown[]];
        const theirs = JSON.stringify([answer[0], answer[1], answer[2].map((f) => (Array.isArray(f) && f.length === 4 ? [f[0], canonical(f[1]), f[2], f[3]] : f))]);
        const ours = JSON.stringify(describeType(t));
        if (ours !== theirs) mismatches.push(`${typeName(t)}: ours ${ours}, gdb ${theirs}`);
        compared++;
      });
      assert.deepEqual(mismatches, []);
      assert.ok(compared > 40, `only ${compared} types compared`);
      assert.ok(aggregates.size >= 6, `only ${aggregates.size} aggregates`);
      assert.ok(addresses >= 7, `only ${addresses} global addresses compared`);
    });
  }

  it('spells declarators the way C does', function () {
    const int: Type = { kind: 'base', name: 'int', byteSize: 4, encoding: 5 };
    const char: Type = { kind: 'base', name: 'char', byteSize: 1, encoding: 8 };
    const constChar: Type = { kind: 'qualified', qualifier: 'const', target: char };
    const fn: Type = { kind: 'function', returnType: int, params: [int], variadic: false, prototyped: true };
    const arr: Type = { kind: 'array', element: int, dims: [4] };
    assert.equal(typeName({ kind: 'pointer', target: fn, byteSize: 8 }, 'f'), 'int (*f)(int)');
    assert.equal(typeName({ kind: 'pointer', target: arr, byteSize: 8 }, 'p'), 'int (*p)[4]');
    assert.equal(typeName({ kind: 'qualified', qualifier: 'const', target: { kind: 'pointer', target: constChar, byteSize: 8 } }, 's'), 'const char *const s');
    assert.equal(typeName({ kind: 'array', element: { kind: 'pointer', target: fn, byteSize: 8 }, dims: [2] }), 'int (*[2])(int)');
    assert.equal(typeName({ kind: 'function', returnType: { kind: 'void' }, params: [], variadic: false, prototyped: false }), 'void ()');
    assert.equal(typeName({ kind: 'function', returnType: { kind: 'void' }, params: [], variadic: false, prototyped: true }), 'void (void)');
    assert.equal(typeSize({ kind: 'array', element: arr, dims: [3] }), 48);
    const binop: Type = { kind: 'typedef', name: 'binop', target: { kind: 'qualified', qualifier: 'const', target: { kind: 'pointer', target: fn, byteSize: 8 } } };
    assert.equal(typeName(binop), 'binop');
    assert.equal(typeName(stripTypedefs(binop)), 'int (*)(int)');
    assert.equal(typeSize({ kind: 'array', element: int, dims: [undefined] }), undefined);
  });
});
