/**
 * Bad input to every system call: a program (written by the test, so it runs without a cross
 * compiler) makes ~1,400 calls — every syscall number, with seeded random arguments drawn from
 * the values that break kernels (0, -1, huge sizes, addresses past user space, unmapped and
 * half-mapped buffers, bad fds). Whatever happens, the emulator must not throw: each call returns
 * a result or a -errno, unknown numbers give -ENOSYS and show in the trace, and the program runs
 * to its exit.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Op } from '../../src/isa/ops';
import { buildProgram, type Insn } from './program';
import { exitStatus, runGuest } from './guest';

const S0 = 8, A0 = 10, A7 = 17;
const ENTRY = 56;

/**
 * Calls left out, because a random call would end the experiment rather than test the kernel:
 * those that end or replace the process or create others (exit, exit_group, execve(at), clone,
 * clone3), deliver signals to it (kill, tkill, tgkill, pidfd_send_signal, setitimer, rt_sigreturn)
 * or can sleep for ever with nothing to wake them (futex, nanosleep, clock_nanosleep,
 * rt_sigsuspend, rt_sigtimedwait, ppoll, pselect6, epoll_pwait and epoll_pwait2, pipe2 — whose
 * read end would block a later read).
 */
const EXCLUDED = new Set([93, 94, 221, 281, 220, 435, 129, 130, 131, 424, 103, 139, 98, 101, 115, 133, 137, 73, 72, 22, 441, 59]);

/** A small deterministic generator (the test must fail the same way every time). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s;
  };
}

describe('kernel: every system call with hostile arguments', function () {
  it('never throws, answers each call with a value or -errno, and the program exits normally', function () {
    const rand = lcg(20261125);
    const root = mkdtempSync(join(tmpdir(), 'forkscope-abuse-'));
    try {
      const entries: bigint[][] = [];
      const nrs: number[] = [];
      for (let nr = 0; nr < 470; nr++) if (!EXCLUDED.has(nr)) for (let k = 0; k < 3; k++) nrs.push(nr);
      // The scratch buffer lives after the table; its address is known once the table's size is.
      const tableBytes = (nrs.length + 1) * ENTRY;
      const probe = buildProgram(() => code(0), new Uint8Array(tableBytes));
      const scratch = probe.dataAddr + tableBytes + 4096;
      const pool = (): bigint => {
        const pick = rand() % 16;
        switch (pick) {
          case 0: return 0n;
          case 1: return 1n;
          case 2: return BigInt(rand() % 8);
          case 3: return 0xffffffffffffffffn; // -1
          case 4: return BigInt.asUintN(64, -100n); // AT_FDCWD
          case 5: return 0x7fffffffn;
          case 6: return 1n << 32n;
          case 7: return 0x8000000000000000n;
          case 8: return BigInt(scratch + (rand() % 4096));
          case 9: return BigInt(scratch + 60 * 1024 - (rand() % 64)); // runs off the end of the buffer
          case 10: return 0x4000000000n; // just past user space
          case 11: return 0x3ffffff000n + BigInt(rand() % 4096); // top of the stack area
          case 12: return 0xffffffffffff0000n;
          case 13: return (1n << 53n) + 1n; // not exactly a double
          case 14: return BigInt(rand());
          default: return BigInt(rand() % 4096);
        }
      };
      for (const nr of nrs) entries.push([BigInt(nr), pool(), pool(), pool(), pool(), pool(), pool()]);
      entries.push([0xffffffffffffffffn, 0n, 0n, 0n, 0n, 0n, 0n]);
      const data = new Uint8Array(tableBytes);
      const dv = new DataView(data.buffer);
      entries.forEach((e, i) => e.forEach((x, j) => dv.setBigUint64(i * ENTRY + j * 8, x, true)));
      // 64 KiB of writable scratch after the table (the program's bss).
      const img = buildProgram(code, data, 4096 + 60 * 1024);
      assert.equal(img.dataAddr, probe.dataAddr);
      writeFileSync(join(root, 'abuse'), img.bytes, { mode: 0o755 });

      const r = runGuest('./abuse', [], { root, memBytes: 128 * 1024 * 1024 });
      assert.equal(exitStatus(r), 0, `the program ended with status ${exitStatus(r)} (${r.last.kind})`);
      const exits = r.events.filter((e) => e.event === 'sys_exit' && e.pid === r.result.pid);
      // Every call came back (the last one, exit_group, does not).
      const enters = r.events.filter((e) => e.event === 'sys_enter' && e.pid === r.result.pid);
      assert.ok(enters.length >= nrs.length, `${enters.length} calls traced`);
      for (const e of exits) {
        const ret = e.fields.ret;
        assert.ok(typeof ret === 'number' || /^-E[A-Z0-9_]+$/.test(String(ret)), `${String(e.fields.name)} returned ${String(ret)}`);
      }
      // Unknown numbers are answered with ENOSYS and are visible in the trace.
      const unknown = exits.filter((e) => String(e.fields.name).startsWith('syscall_'));
      assert.ok(unknown.length > 100);
      assert.ok(unknown.every((e) => e.fields.ret === '-ENOSYS'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

/** The loop: for each table entry {nr, a0..a5}: call it; stop at nr = -1; then exit(0). */
function code(dataAddr: number): Insn[] {
  const first = 0x10000 + 64 + 56;
  const ld = (rd: number, off: number): Insn => [Op.LD, { rd, rs1: S0, imm: off }];
  const body: Insn[] = [
    [Op.AUIPC, { rd: S0, imm: 0 }],
    [Op.ADDI, { rd: S0, rs1: S0, imm: dataAddr === 0 ? 0 : dataAddr - first }],
    // loop (index 2):
    ld(A7, 0),
    [Op.BLT, { rs1: A7, rs2: 0, imm: 4 * 11 }], // → done (index 14)
    ld(A0, 8), ld(A0 + 1, 16), ld(A0 + 2, 24), ld(A0 + 3, 32), ld(A0 + 4, 40), ld(A0 + 5, 48),
    [Op.ECALL],
    [Op.ADDI, { rd: S0, rs1: S0, imm: ENTRY }],
    [Op.JAL, { rd: 0, imm: -4 * 10 }], // → loop (index 2)
    [Op.ADDI, { rd: 0, rs1: 0, imm: 0 }],
    // done (index 14):
    [Op.ADDI, { rd: A0, rs1: 0, imm: 0 }],
    [Op.ADDI, { rd: A7, rs1: 0, imm: 94 }],
    [Op.ECALL],
  ];
  return body;
}
