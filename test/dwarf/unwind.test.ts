import { strict as assert } from 'node:assert';
import { DW_OP, Dwarf, decodeExpression, expressionAt, fullyKnown, isCalleeSaved, locationBytes, lookupPc, typeSize } from '../../src/dwarf';
import type { Frame, MemoryReader } from '../../src/dwarf';
import { stopAt } from './gdb-session';
import type { GdbFrame, GdbStop } from './gdb-session';
import { BUILDS, ElfFile, GCC, GDB, QEMU, buildFixture, hex, markerLine, requireCommands } from './helpers';

/** Guest memory as gdb dumped it, backed by the ELF's sections for what it did not dump. */
function memoryOf(stop: GdbStop, elf: ElfFile): MemoryReader {
  const regions: { address: bigint; bytes: Uint8Array }[] = stop.memory.map((m) => ({ address: BigInt(m.address), bytes: new Uint8Array(Buffer.from(m.hex, 'hex')) }));
  for (const s of elf.sections) {
    const bytes = s.addr !== 0 ? elf.data(s.name) : undefined;
    if (bytes) regions.push({ address: BigInt(s.addr), bytes });
  }
  return (address, size) => {
    for (const r of regions) {
      const at = address - r.address;
      if (at >= 0n && at + BigInt(size) <= BigInt(r.bytes.length)) return r.bytes.subarray(Number(at), Number(at) + size);
    }
    return undefined;
  };
}

function innermost(stop: GdbStop): Frame {
  const regs: (bigint | undefined)[] = new Array(64).fill(undefined);
  regs[0] = 0n;
  for (let i = 1; i < 32; i++) regs[i] = BigInt(stop.regs[i]);
  return { pc: stop.frames[0].pc, regs, returnAddress: false };
}

/**
 * gdb's frames grouped by physical frame: inlined frames, then the frame they are inlined
 * into. gdb also shows frames for functions that tail-called their callee, reconstructed from
 * call-site information; they have no stack frame and we do not reconstruct them, so they are
 * left out.
 */
function physicalGroups(frames: readonly GdbFrame[]): GdbFrame[][] {
  const groups: GdbFrame[][] = [];
  let current: GdbFrame[] = [];
  for (const f of frames) {
    if (f.tailcall) continue;
    current.push(f);
    if (!f.inline) {
      groups.push(current);
      current = [];
    }
  }
  return groups;
}

function unsignedLe(bytes: Uint8Array): bigint {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) v = (v << 8n) | BigInt(bytes[i]);
  return v;
}

const DATA_SECTIONS = ['.data', '.sdata', '.bss', '.sbss', '.got'];

describe('dwarf: unwinding and variable locations against gdb on qemu', function () {
  const breakLine = markerLine('chain.c', 'BREAK_HERE');
  for (const build of BUILDS) {
    describe(build.name, function () {
      let elf: ElfFile;
      let stop: GdbStop;
      before(async function () {
        requireCommands(this, build.compiler, GDB, QEMU);
        elf = new ElfFile(buildFixture(build));
        const regions = DATA_SECTIONS.map((n) => elf.section(n)).filter((s) => s !== undefined && s.size > 0)
          .map((s): [number, number] => [s!.addr, s!.size]);
        stop = await stopAt(elf.path, `chain.c:${breakLine}`, regions);
      });

      it('walks the same frames as gdb `bt`, inlined calls included, through libc to _start', function () {
        const dwarf = elf.dwarf();
        const memory = memoryOf(stop, elf);
        const frames = dwarf.backtrace(innermost(stop), memory);
        const groups = physicalGroups(stop.frames);
        assert.ok(groups.length >= 8, `gdb shows only ${groups.length} frames`);
        assert.equal(frames.length, groups.length, `frames: ours ${frames.map((f) => hex(f.pc)).join(' ')}`);
        groups.forEach((group, i) => {
          const frame = frames[i];
          const physical = group[group.length - 1];
          assert.equal(hex(frame.pc), hex(physical.pc), `frame ${i} pc`);
          assert.equal(frame.regs[2], BigInt(physical.sp), `frame ${i} sp`);
          const inline = dwarf.inlineFrames(lookupPc(frame));
          // Frames in libc have no DWARF here: gdb names them from the symbol table.
          if (inline.length > 0) assert.deepEqual(inline.map((f) => f.name), group.map((f) => f.name), `frame ${i} functions`);
          else assert.equal(group.length, 1, `frame ${i}: gdb sees inlined calls where we see no function`);
        });
        const names = groups.map((g) => g[g.length - 1].name);
        assert.deepEqual(names.filter((n) => n !== null && /^(leaf|level\d)$/.test(n)), ['leaf', 'level3', 'level2', 'level1']);
        assert.equal(groups[groups.length - 1][0].name, '_start');
      });

      it('finds every argument and local gdb prints, with the same value or address', function () {
        const dwarf = elf.dwarf();
        const memory = memoryOf(stop, elf);
        const frames = dwarf.backtrace(innermost(stop), memory);
        const groups = physicalGroups(stop.frames);
        const mismatches: string[] = [];
        let values = 0;
        let optimizedOut = 0;
        let clobbered = 0;
        let entryValues = 0;
        groups.forEach((group, i) => {
          const inline = dwarf.inlineFrames(lookupPc(frames[i]));
          group.forEach((gdbFrame, k) => {
            const seen = new Set<string>();
            for (const want of gdbFrame.variables) {
              // gdb lists a shadowed variable again from the outer block; C sees the inner one.
              if (seen.has(want.name)) continue;
              seen.add(want.name);
              const where = `${gdbFrame.name}: ${want.name}`;
              const v = inline[k]?.variables.find((x) => x.name === want.name && x.declLine === want.line);
              if (!v) {
                mismatches.push(`${where}: not visible to us`);
                continue;
              }
              const size = typeSize(v.type) ?? 0;
              const loc = dwarf.locate(v, frames, i, memory);
              const object = locationBytes(loc, size, (r) => frames[i].regs[r], memory);
              const anyKnown = object.known.some((b) => b !== 0);
              if (want.optimizedOut) {
                optimizedOut++;
                // gdb calls a value optimized out when any part of it is.
                if (fullyKnown(object)) mismatches.push(`${where}: gdb says optimized out, we read ${[...object.bytes].join(',')}`);
                continue;
              }
              if (!anyKnown) {
                // In outer frames gdb takes registers the callee did not save to still hold the
                // caller's value; the psABI says they are lost, and so do we.
                if (i > 0 && loc.kind === 'register' && !isCalleeSaved(loc.reg)) {
                  clobbered++;
                  continue;
                }
                mismatches.push(`${where}: gdb has a value, ours is ${loc.kind === 'unavailable' ? loc.reason : loc.kind}`);
                continue;
              }
              if (want.address !== undefined && (loc.kind !== 'memory' || loc.address !== BigInt(want.address))) {
                mismatches.push(`${where}: gdb address ${hex(want.address)}, ours ${JSON.stringify(loc, (_, x) => (typeof x === 'bigint' ? hex(x) : x))}`);
              }
              if (want.value !== undefined && (!fullyKnown(object) || unsignedLe(object.bytes) !== BigInt(want.value))) {
                mismatches.push(`${where}: gdb ${want.value}, ours ${unsignedLe(object.bytes)}`);
              }
              values++;
              const expr = expressionAt(v.location, lookupPc(frames[i]));
              if (expr && decodeExpression(expr).some((op) => op.code === DW_OP.entry_value || op.code === DW_OP.GNU_entry_value)) entryValues++;
            }
          });
        });
        assert.deepEqual(mismatches, []);
        // gcc -O2 describes some of these only by their value at function entry.
        if (build.compiler === GCC && build.flags.includes('-O2')) assert.ok(entryValues >= 2, `only ${entryValues} entry values recovered`);
        assert.ok(values >= 8, `only ${values} values compared (${optimizedOut} optimized out, ${clobbered} clobbered)`);
      });

      if (build.flags.includes('-O0')) {
        it('falls back to the frame-pointer convention where no FDE covers the pc', function () {
          // Without .debug_frame no user function has CFI; -O0 code keeps s0 as frame pointer.
          const dwarf = Dwarf.load((n) => (n === '.debug_frame' ? undefined : elf.data(n)), (n) => elf.section(n)?.addr);
          const memory = memoryOf(stop, elf);
          const frames = dwarf.backtrace(innermost(stop), memory);
          const groups = physicalGroups(stop.frames);
          assert.deepEqual(frames.map((f) => hex(f.pc)), groups.map((g) => hex(g[g.length - 1].pc)));
          const methods = frames.slice(1).map((f) => ('method' in f ? f.method : '?'));
          assert.ok(methods.includes('frame-pointer') && methods.includes('cfi'), methods.join(' '));
        });
      }
    });
  }
});
