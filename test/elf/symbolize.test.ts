/**
 * Oracle test of Symbolizer.containing, gdb's rule for naming an address: every address
 * objdump -d prints as `<name+0x1c>` — branch and call targets, and the `# addr <sym>` comments
 * after pc-relative pairs in the static hello; branch and call targets in dynamic objects — is
 * asked of `containing` and checked against readelf's symbol table. Where objdump's symbol
 * contains the address, the answer is objdump's name and offset exactly (which also checks
 * objdump's preference among symbols at one address). Where the address lies beyond it (padding
 * after a function, code of a function without a symbol, a size-0 label further back), the
 * answer is the innermost symbol that does contain it, or undefined when none does.
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

interface OracleSymbol {
  readonly name: string;
  readonly value: number;
  readonly size: number;
}

/** Symbol versions, which objdump appends in dynamic objects ("memcpy@@GLIBC_2.27"). */
const dropVersion = (name: string) => name.replace(/@@?GLIBC_[A-Z0-9_.]+$/, '');

/**
 * The symbols that may name an address, from readelf -W -s: .symtab, or .dynsym when the file
 * has no .symtab; defined, named, neither file nor section symbols (but those of .plt* and
 * .got*, which objdump prints), nor RISC-V mapping symbols ($x, $d, $xrv64i2p1...) and the
 * assembler's ".L0 " labels, which objdump never prints. PLT stubs come from objdump's own
 * headings ("00000000000105d0 <puts@plt>:"), 16 bytes each.
 */
function oracleSymbols(path: string, listing: string): OracleSymbol[] {
  const tables = runTool(READELF, ['-W', '-s', path]).split(/^Symbol table '/m).slice(1);
  const table = tables.find((t) => t.startsWith('.symtab')) ?? tables.find((t) => t.startsWith('.dynsym')) ?? '';
  // "  1676: 0000000000026b38   232 FUNC    GLOBAL DEFAULT   12 __libc_start_main@@GLIBC_2.34"
  const symbols = [...table.matchAll(/^\s*\d+: ([0-9a-f]+)\s+(\S+) (\w+)\s+\w+\s+\w+(?: \[[^\]]*\])?\s+(\w+) (.*)$/gm)]
    .filter(([, , , type, ndx, name]) => ndx !== 'UND' && ndx !== 'COM' && name !== '' && type !== 'FILE'
      && (type !== 'SECTION' || name.startsWith('.plt') || name.startsWith('.got'))
      && !name.startsWith('$') && name !== '.L0 ')
    .map(([, value, size, , , name]) => ({ name: dropVersion(name), value: parseInt(value, 16), size: Number(size) }));
  const stubs = [...listing.matchAll(/^([0-9a-f]+) <(.+@plt)>:$/gm)].map((m) => ({ name: m[2], value: parseInt(m[1], 16), size: 16 }));
  return symbols.concat(stubs);
}

/** The symbols whose [value, value + size) contains addr, or of size 0 at addr itself. */
function holdersOf(byValue: readonly OracleSymbol[], maxSize: number, addr: number): OracleSymbol[] {
  // Sorted by value, only those from addr - maxSize to addr can reach it.
  let lo = 0;
  let hi = byValue.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byValue[mid].value <= addr) lo = mid + 1;
    else hi = mid;
  }
  const holders: OracleSymbol[] = [];
  for (let i = lo - 1; i >= 0 && byValue[i].value >= addr - maxSize; i--) {
    const s = byValue[i];
    if (s.value === addr || addr < s.value + s.size) holders.push(s);
  }
  return holders;
}

interface Checked {
  /** Addresses inside the symbol objdump names them by. */
  inside: number;
  /** Addresses beyond objdump's symbol: inside another symbol, or inside none. */
  otherSymbol: number;
  noSymbol: number;
  /** The references where containing breaks gdb's rule, as readable lines. */
  bad: string[];
}

/** Asks containing about every reference and sorts them by what readelf says contains them. */
function check(path: string, listing: string, refs: readonly Reference[]): Checked {
  const symbolizer = parseElf(readBytes(path)).symbolizer();
  const symbols = oracleSymbols(path, listing).sort((a, b) => a.value - b.value);
  const maxSize = Math.max(...symbols.map((s) => s.size));
  const checked: Checked = { inside: 0, otherSymbol: 0, noSymbol: 0, bad: [] };
  for (const r of refs) {
    const ours = symbolizer.containing(r.addr);
    const holders = holdersOf(symbols, maxSize, r.addr);
    let ok: boolean;
    if (holders.some((s) => s.name === r.name && s.value === r.addr - r.offset)) {
      checked.inside++;
      ok = ours?.name === r.name && ours.offset === r.offset;
    } else if (holders.length > 0) {
      checked.otherSymbol++;
      // Innermost: the highest start among the holders; several there are all acceptable here,
      // objdump's preference among them being checked by the addresses inside its own symbol.
      const innermost = Math.max(...holders.map((s) => s.value));
      ok = ours !== undefined && ours.offset === r.addr - innermost
        && holders.some((s) => s.value === innermost && s.name === ours.name);
    } else {
      checked.noSymbol++;
      ok = ours === undefined;
    }
    if (!ok) checked.bad.push(`${r.line.trim()}  — ours: ${JSON.stringify(ours)}`);
  }
  return checked;
}

const isBranchOrCall = (r: Reference) => /\t(j|jal|b[a-z]*)\t/.test(r.line);

describe('elf: Symbolizer.containing against riscv64-linux-gnu-objdump -d and readelf -s', function () {
  it('names every address objdump names in a static hello by the symbol containing it', function () {
    requireTool(this, GCC, OBJDUMP, READELF);
    const { staticPath } = buildHello();
    const listing = runTool(OBJDUMP, ['-d', staticPath]);
    // objdump also symbolizes results that are not addresses, such as fffffffffffff6c0 (a
    // negative stack offset added to a register): beyond 2^53 there is no exact JS number to
    // ask about. Every branch and call target is a real address and stays.
    const refs = references(listing).filter((r) => Number.isSafeInteger(r.addr));
    // A static glibc hello has thousands; a broken regex would find none.
    assert.ok(refs.filter(isBranchOrCall).length > 5000, `only ${refs.length} symbolized addresses found`);
    const c = check(staticPath, listing, refs);
    assert.deepEqual(c.bad.slice(0, 20), [], `${c.bad.length} of ${refs.length} differ`);
    // Addresses objdump names after a symbol they are beyond occur, so gdb's rule is checked
    // too (this glibc nests no label inside a function, so none of them is inside another).
    assert.ok(c.inside > 5000 && c.noSymbol > 0, JSON.stringify({ ...c, bad: undefined }));
  });

  // In dynamic objects objdump names GOT slots through the dynamic relocations; branch and call
  // targets, PLT stubs included, are named by symbols alone.
  const dynamic: [string, () => string, string][] = [
    ['a PIE hello (calls through the PLT)', () => buildHello().piePath, 'puts@plt'],
    ['the cross libc.so.6 (.dynsym only)', () => CROSS_LIBC, 'free@plt'],
  ];
  for (const [what, path, someTarget] of dynamic) {
    it(`names every branch and call target in ${what} by the symbol containing it`, function () {
      requireTool(this, GCC, OBJDUMP, READELF);
      if (!existsSync(path())) this.skip();
      const listing = runTool(OBJDUMP, ['-d', path()]);
      const refs = references(listing).filter(isBranchOrCall).map((r) => ({ ...r, name: dropVersion(r.name) }));
      assert.ok(refs.some((r) => r.name === someTarget && r.offset === 0), `no call to ${someTarget} found`);
      const c = check(path(), listing, refs);
      assert.deepEqual(c.bad.slice(0, 20), [], `${c.bad.length} of ${refs.length} differ`);
      assert.ok(c.inside > 0, JSON.stringify({ ...c, bad: undefined }));
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

  it('names the last address of a static program after its last symbols, and nothing past it', function () {
    requireTool(this, GCC);
    const elf = parseElf(readBytes(buildHello().staticPath));
    const s = elf.symbolizer();
    // _end and __BSS_END__ share the last address with size 0; objdump's tie-break (strcmp)
    // picks the latter. Past it, no symbol contains anything, and the code after the last
    // symbol would begin there.
    const end = elf.symtab.find((sym) => sym.name === '__BSS_END__');
    assert.ok(end !== undefined);
    assert.deepEqual(s.containing(end.st_value), { name: '__BSS_END__', offset: 0 });
    assert.equal(s.containing(end.st_value + 0x100000), undefined);
    assert.equal(s.endBefore(end.st_value + 0x100000), end.st_value);
  });
});
