/**
 * Programs that go wrong die the way they die on Linux: executing garbage, jumping into nowhere,
 * writing to their own code, a misaligned atomic, a breakpoint. Each program is written by the
 * test; where qemu-riscv64 is installed it runs the same file and must end with the same signal.
 * Random garbage runs under forkscope only (under qemu its random system calls would reach the
 * host): whatever it does, the emulator must stay in control.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Op } from '../../src/isa/ops';
import { buildProgram, type Insn } from './program';
import { exitStatus, runGuest } from './guest';

const haveQemu = spawnSync('qemu-riscv64', ['--version']).status === 0;
const SIGILL = 4, SIGTRAP = 5, SIGBUS = 7, SIGSEGV = 11;

interface Case {
  name: string;
  code: Insn[];
  data?: Uint8Array;
  signal: number;
}

const T0 = 5, SP = 2;
const cases: Case[] = [
  // An all-zero halfword is the defined illegal instruction.
  { name: 'zero bytes', code: [[Op.ADDI, { rd: 0, rs1: 0, imm: 0 }]], data: new Uint8Array(8), signal: SIGILL },
  { name: 'jump to address 0', code: [[Op.JALR, { rd: 0, rs1: 0, imm: 0 }]], signal: SIGSEGV },
  { name: 'jump past user space', code: [[Op.ADDI, { rd: T0, rs1: 0, imm: -16 }], [Op.JALR, { rd: 0, rs1: T0, imm: 0 }]], signal: SIGSEGV },
  { name: 'load from address 8', code: [[Op.LD, { rd: T0, rs1: 0, imm: 8 }]], signal: SIGSEGV },
  { name: 'misaligned lr.d', code: [[Op.ADDI, { rd: T0, rs1: SP, imm: 3 }], [Op.LR_D, { rd: T0, rs1: T0 }]], signal: SIGBUS },
  { name: 'ebreak', code: [[Op.EBREAK]], signal: SIGTRAP },
  { name: 'a privileged CSR', code: [[Op.CSRRS, { rd: T0, rs1: 0, imm: 0x100 }]], signal: SIGILL },
  { name: 'endless recursion', code: [[Op.ADDI, { rd: SP, rs1: SP, imm: -2048 }], [Op.SD, { rs1: SP, rs2: 0, imm: 0 }], [Op.JAL, { rd: 0, imm: -8 }]], signal: SIGSEGV },
];

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

describe('kernel: programs that go wrong', function () {
  let root: string;
  before(() => { root = mkdtempSync(join(tmpdir(), 'forkscope-garbage-')); });
  after(() => rmSync(root, { recursive: true, force: true }));

  for (const c of cases) {
    it(`${c.name}: killed by signal ${c.signal}${haveQemu ? ', as under qemu' : ''}`, function () {
      // The case's instructions, then the data (if any) runs as code right after them.
      const img = buildProgram(() => c.code, c.data ?? new Uint8Array(0));
      const name = c.name.replace(/\W+/g, '-');
      writeFileSync(join(root, name), img.bytes, { mode: 0o755 });
      const r = runGuest('./' + name, [], { root, memBytes: 64 * 1024 * 1024 });
      assert.equal(exitStatus(r), 128 + c.signal);
      if (haveQemu) {
        const q = spawnSync('qemu-riscv64', [join(root, name)], { timeout: 30_000 });
        assert.equal(q.signal !== null ? 128 + constants.signals[q.signal] : q.status, 128 + c.signal);
      }
    });
  }

  it('random bytes as code: always a clean end (signal or exit), never an emulator error', function () {
    const rand = lcg(7);
    const outcomes = new Map<number | null, number>();
    for (let i = 0; i < 40; i++) {
      const junk = new Uint8Array(4096);
      for (let j = 0; j < junk.length; j++) junk[j] = rand() & 0xff;
      const img = buildProgram(() => [], junk);
      writeFileSync(join(root, `junk${i}`), img.bytes, { mode: 0o755 });
      const r = runGuest(`./junk${i}`, [], { root, memBytes: 64 * 1024 * 1024, maxInsns: 20_000_000 });
      const s = exitStatus(r);
      outcomes.set(s, (outcomes.get(s) ?? 0) + 1);
    }
    // Garbage mostly hits an illegal instruction or a bad address.
    assert.ok((outcomes.get(128 + SIGILL) ?? 0) + (outcomes.get(128 + SIGSEGV) ?? 0) >= 30, JSON.stringify([...outcomes]));
  });
});
