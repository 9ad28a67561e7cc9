/**
 * Oracle test: for every address objdump -d prints as `<name+0x1c>` in the static hello —
 * branch and call targets, and the `# addr <sym>` comments after pc-relative pairs — the
 * symbolizer must give the same name and offset; in dynamic objects, for every branch and
 * call target.
 */
import { strict as assert } from 'assert';
import { existsSync } from 'fs';
import { parseElf } from '../../src/elf';
import { buildHello, CROSS_LIBC, GCC, OBJDUMP, READELF, readBytes, requireTool, runTool } from './guests';

interface Reference {
  readonly line: string;
  readonly addr: number;
  readonly name: string;
  readonly offset: number;
}

/** Instruction lines ("   10554:\t...\tjal\t1067a <main>") that end with a symbolized address. */
function references(listing: string): Reference[] {
  const refs: Reference[] = [];
  for (const line of listing.split('\n')) {
    if (!/^\s+[0-9a-f]+:\t/.test(line)) continue;
    const m = /([0-9a-f]+) <([^>]+?)(?:([+-])0x([0-9a-f]+))?>$/.exec(line);
    if (m === null) continue;
    const offset = m[4] === undefined ? 0 : parseInt(m[4], 16) * (m[3] === '-' ? -1 : 1);
    refs.push({ line, addr: parseInt(m[1], 16), name: m[2], offset });
  }
  return refs;
}

/** The references where objdump and symbolize disagree, as readable lines. */
function mismatches(path: string, refs: readonly Reference[]): string[] {
  const elf = parseElf(readBytes(path));
  return refs
    .filter((r) => {
      const ours = elf.symbolize(r.addr);
      return ours?.name !== r.name || ours.offset !== r.offset;
    })
    .map((r) => `${r.line.trim()}  — ours: ${JSON.stringify(elf.symbolize(r.addr))}`);
}

const isBranchOrCall = (r: Reference) => /\t(j|jal|b[a-z]*)\t/.test(r.line);

describe('elf: symbolize against riscv64-linux-gnu-objdump -d', function () {
  it('names every symbolized address in a static hello as objdump does', function () {
    requireTool(this, GCC, OBJDUMP);
    const { staticPath } = buildHello();
    const all = references(runTool(OBJDUMP, ['-d', staticPath]));
    // objdump also symbolizes results that are not addresses, such as fffffffffffff6c0 (a
    // negative stack offset added to a register): beyond 2^53 there is no exact JS number to
    // ask about. Every branch and call target is a real address and stays.
    const refs = all.filter((r) => Number.isSafeInteger(r.addr));
    // A static glibc hello has thousands; a broken regex would find none.
    assert.ok(refs.filter(isBranchOrCall).length > 5000, `only ${refs.length} symbolized addresses found`);
    const bad = mismatches(staticPath, refs);
    assert.deepEqual(bad.slice(0, 20), [], `${bad.length} of ${refs.length} differ`);
  });

  // In dynamic objects objdump names GOT slots through the dynamic relocations and appends
  // symbol versions ("memcpy@@GLIBC_2.27"); symbolize does neither. Branch and call targets,
  // PLT stubs included, must still agree once the version is dropped.
  const dynamic: [string, () => string, string][] = [
    ['a PIE hello (calls through the PLT)', () => buildHello().piePath, 'puts@plt'],
    ['the cross libc.so.6 (.dynsym only)', () => CROSS_LIBC, 'free@plt'],
  ];
  for (const [what, path, someTarget] of dynamic) {
    it(`names every branch and call target in ${what} as objdump does`, function () {
      requireTool(this, GCC, OBJDUMP);
      if (!existsSync(path())) this.skip();
      const refs = references(runTool(OBJDUMP, ['-d', path()]))
        .filter(isBranchOrCall)
        .map((r) => ({ ...r, name: r.name.replace(/@@?GLIBC_[A-Z0-9_.]+$/, '') }));
      assert.ok(refs.some((r) => r.name === someTarget), `no call to ${someTarget} found`);
      const bad = mismatches(path(), refs);
      assert.deepEqual(bad.slice(0, 20), [], `${bad.length} of ${refs.length} differ`);
    });
  }

  it('names only the inside of each sized function of the stripped libc.so.6 after it (readelf --dyn-syms)', function () {
    requireTool(this, READELF);
    if (!existsSync(CROSS_LIBC)) this.skip();
    const s = parseElf(readBytes(CROSS_LIBC)).symbolizer();
    // "  1676: 0000000000026b38   232 FUNC    GLOBAL DEFAULT   12 __libc_start_main@@GLIBC_2.34"
    const fns = [...runTool(READELF, ['-W', '--dyn-syms', CROSS_LIBC]).matchAll(/^\s*\d+: ([0-9a-f]+)\s+(\d+) FUNC\s+\S+\s+\S+\s+\d+ /gm)]
      .map((m) => ({ value: parseInt(m[1], 16), size: Number(m[2]) })).filter((f) => f.size > 0);
    const starts = new Set(fns.map((f) => f.value));
    assert.ok(fns.length > 2000, `only ${fns.length} functions read`);
    const bad: string[] = [];
    for (const f of fns) {
      const last = s.containing(f.value + f.size - 1);
      if (last === undefined || last.offset !== f.size - 1) bad.push(`0x${f.value.toString(16)}+${f.size - 1}: ${JSON.stringify(last)}`);
      // Past the end: another symbol's own code, or nothing (an internal function has no name).
      const past = s.containing(f.value + f.size);
      if (past !== undefined && !fns.some((g) => g.value <= f.value + f.size && f.value + f.size < g.value + g.size) && !starts.has(f.value + f.size)) {
        bad.push(`0x${(f.value + f.size).toString(16)} named ${JSON.stringify(past)}`);
      }
    }
    assert.deepEqual(bad.slice(0, 10), [], `${bad.length} differ`);
  });

  it('counts on past the last symbol', function () {
    requireTool(this, GCC);
    const elf = parseElf(readBytes(buildHello().staticPath));
    // _end and __BSS_END__ share the last address; objdump's tie-break (strcmp) picks the latter.
    const end = elf.symtab.find((s) => s.name === '__BSS_END__');
    assert.ok(end !== undefined);
    assert.deepEqual(elf.symbolize(end.st_value + 0x100000), { name: '__BSS_END__', offset: 0x100000 });
  });
});
