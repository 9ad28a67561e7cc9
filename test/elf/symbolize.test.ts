/**
 * Oracle test: for every address objdump -d prints as `<name+0x1c>` in the static hello —
 * branch and call targets, and the `# addr <sym>` comments after pc-relative pairs — the
 * symbolizer must give the same name and offset.
 */
import { strict as assert } from 'assert';
import { parseElf } from '../../src/elf';
import { buildHello, GCC, OBJDUMP, readBytes, requireTool, runTool } from './guests';

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

describe('elf: symbolize against riscv64-linux-gnu-objdump -d', function () {
  it('names every branch and call target in a static hello as objdump does', function () {
    requireTool(this, GCC, OBJDUMP);
    const { staticPath } = buildHello();
    const elf = parseElf(readBytes(staticPath));
    const all = references(runTool(OBJDUMP, ['-d', staticPath]));
    // A static glibc hello has thousands of them; a broken regex would find none.
    assert.ok(all.length > 5000, `only ${all.length} symbolized addresses found`);
    // objdump also symbolizes results that are not addresses, such as fffffffffffff6c0 (a
    // negative stack offset added to a register): beyond 2^53 there is no exact JS number to
    // ask about. Every branch and call target is a real address and stays.
    const refs = all.filter((r) => Number.isSafeInteger(r.addr));
    assert.ok(refs.filter((r) => /\t(j|jal|b[a-z]*)\t/.test(r.line)).length > 5000);

    const mismatches = refs
      .filter((r) => {
        const ours = elf.symbolize(r.addr);
        return ours?.name !== r.name || ours.offset !== r.offset;
      })
      .map((r) => `${r.line.trim()}  — ours: ${JSON.stringify(elf.symbolize(r.addr))}`);
    assert.deepEqual(mismatches.slice(0, 20), [], `${mismatches.length} of ${refs.length} differ`);
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
