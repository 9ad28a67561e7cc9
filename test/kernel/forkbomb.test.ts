/**
 * Abuse of fork: a program (built by the test) forks until the kernel says no. As root it is exempt
 * from RLIMIT_NPROC, so it runs into pid_max: clone fails with EAGAIN, the machine stays in
 * control, and the program then kills its whole process group.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_ENV } from '../../src/debugger/config';
import { start_kernel } from '../../src/kernel/init/main';
import { Kernel } from '../../src/kernel/kernel';
import { TRACE_CATEGORIES, type TraceEvent } from '../../src/kernel/trace';
import { Op } from '../../src/isa/ops';
import { buildProgram, type Insn } from './program';
import { RecordingConsole } from './guest';

const A0 = 10, A1 = 11, A2 = 12, A3 = 13, A4 = 14, A7 = 17, S1 = 9;

/**
 * loop: clone(SIGCHLD) — a child sleeps in rt_sigsuspend (empty mask, at `dataAddr`); the parent
 * counts and loops; on failure it kills its process group (kill(0, SIGKILL)).
 */
function code(dataAddr: number): Insn[] {
  const first = 0x10000 + 120;
  return [
    // 0 loop: clone(SIGCHLD, 0, 0, 0, 0)
    [Op.ADDI, { rd: A0, rs1: 0, imm: 17 }], [Op.ADDI, { rd: A1, rs1: 0, imm: 0 }], [Op.ADDI, { rd: A2, rs1: 0, imm: 0 }],
    [Op.ADDI, { rd: A3, rs1: 0, imm: 0 }], [Op.ADDI, { rd: A4, rs1: 0, imm: 0 }], [Op.ADDI, { rd: A7, rs1: 0, imm: 220 }],
    [Op.ECALL],
    // 7: child? → 11; failed? → 17
    [Op.BEQ, { rs1: A0, rs2: 0, imm: 4 * 4 }],
    [Op.BLT, { rs1: A0, rs2: 0, imm: 4 * 9 }],
    [Op.ADDI, { rd: S1, rs1: S1, imm: 1 }],
    [Op.JAL, { rd: 0, imm: -4 * 10 }],
    // 11 child: rt_sigsuspend(&empty, 8), for ever
    [Op.AUIPC, { rd: A0, imm: 0 }], [Op.ADDI, { rd: A0, rs1: A0, imm: dataAddr === 0 ? 0 : dataAddr - (first + 11 * 4) }],
    [Op.ADDI, { rd: A1, rs1: 0, imm: 8 }], [Op.ADDI, { rd: A7, rs1: 0, imm: 133 }], [Op.ECALL],
    [Op.JAL, { rd: 0, imm: -4 * 5 }],
    // 17 failed: kill(0, SIGKILL)
    [Op.ADDI, { rd: A0, rs1: 0, imm: 0 }], [Op.ADDI, { rd: A1, rs1: 0, imm: 9 }], [Op.ADDI, { rd: A7, rs1: 0, imm: 129 }],
    [Op.ECALL],
  ];
}

describe('kernel: a fork bomb', function () {
  it('runs into pid_max with EAGAIN, and the machine stays in control', function () {
    const root = mkdtempSync(join(tmpdir(), 'forkscope-bomb-'));
    try {
      writeFileSync(join(root, 'bomb'), buildProgram(code, new Uint8Array(8)).bytes, { mode: 0o755 });
      const k = new Kernel({ memBytes: 256 * 1024 * 1024, seed: 0, root, console: new RecordingConsole(), pidMax: 200 });
      const events: TraceEvent[] = [];
      TRACE_CATEGORIES.forEach((c) => k.traceEnabled.add(c));
      k.traceSinks.push((e) => events.push(e));
      const result = start_kernel(k, { filename: './bomb', argv: ['./bomb'], envp: DEFAULT_ENV });
      let r = k.run(200_000_000);
      while (r.kind === 'budget') r = k.run(200_000_000);
      assert.equal(r.kind, 'exited');
      const clones = events.filter((e) => e.event === 'sys_exit' && e.fields.name === 'clone' && e.pid === result.pid);
      assert.equal(clones[clones.length - 1].fields.ret, '-EAGAIN');
      // Every number below pid_max was used once: the boot tasks, the program and its children.
      assert.ok(clones.length > 150, `${clones.length} clones`);
      // kill(0, SIGKILL) took the whole group with it; init reaped everyone.
      assert.equal(result.status, 9);
      assert.equal(k.tasks.filter((t) => t.comm === 'bomb').length, 0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
