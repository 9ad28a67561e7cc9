/**
 * Makes int-vectors.json: the results real RISC-V semantics (qemu-riscv64) give for every
 * RV64I/M register operation and every AMO, over a set of edge-case operands. The CPU tests
 * replay them on the Hart (int-vectors.test.ts), without needing qemu.
 *
 *   npx tsx test/cpu/vectors/make-int-vectors.ts
 *
 * Needs riscv64-linux-gnu-gcc and qemu-riscv64. The program is straight-line assembly: for each
 * vector it loads the operands from a table, executes one instruction and stores the result,
 * then writes all results to stdout.
 */
import { execFileSync } from 'child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { forEachVector } from './int-vector-set';

const lines: string[] = [];
const operands: bigint[] = [];
let outputs = 0;

// s1 walks the operand table, s2 the results, s3 is the AMOs' memory cell.
forEachVector((v) => {
  lines.push('  ld a0, 0(s1)');
  if (v.kind !== 'imm') lines.push('  ld a1, 8(s1)');
  if (v.kind === 'reg') lines.push(`  ${v.op} a2, a0, a1`);
  else if (v.kind === 'imm') lines.push(`  ${v.op} a2, a0, ${v.imm}`);
  else lines.push('  sd a0, 0(s3)', `  ${v.op} a2, a1, (s3)`, `  l${v.op.slice(-1)} a3, 0(s3)`);
  const n = v.kind === 'amo' ? 2 : 1;
  for (let i = 0; i < n; i++) lines.push(`  sd a${2 + i}, ${8 * i}(s2)`);
  const used = v.kind === 'imm' ? [v.a] : [v.a, v.b];
  lines.push(`  addi s1, s1, ${8 * used.length}`, `  addi s2, s2, ${8 * n}`);
  operands.push(...used);
  outputs += n;
});

const hex = (v: bigint): string => '0x' + BigInt.asUintN(64, v).toString(16);
const source = [
  '  .globl _start',
  '_start:',
  '  la s1, operands',
  '  la s2, results',
  '  la s3, cell',
  ...lines,
  '  li a0, 1',
  '  la a1, results',
  `  li a2, ${8 * outputs}`,
  '  li a7, 64', // write
  '  ecall',
  '  li a0, 0',
  '  li a7, 93', // exit
  '  ecall',
  '  .data',
  '  .balign 8',
  'operands:',
  ...operands.map((v) => `  .dword ${hex(v)}`),
  'cell: .dword 0',
  '  .bss',
  '  .balign 8',
  `results: .space ${8 * outputs}`,
].join('\n');

const dir = mkdtempSync(join(tmpdir(), 'int-vectors-'));
try {
  writeFileSync(join(dir, 'v.S'), source + '\n');
  execFileSync('riscv64-linux-gnu-gcc', ['-nostdlib', '-static', '-o', join(dir, 'v'), join(dir, 'v.S')]);
  const out = execFileSync('qemu-riscv64', [join(dir, 'v')], { maxBuffer: 64 << 20 });
  if (out.length !== 8 * outputs) throw new Error(`expected ${8 * outputs} bytes, got ${out.length}`);
  const values: string[] = [];
  for (let i = 0; i < outputs; i++) values.push(hex(out.readBigUInt64LE(8 * i)));
  writeFileSync(join(__dirname, 'int-vectors.json'), JSON.stringify({
    about: 'Results of qemu-riscv64 for the vector set of int-vector-set.ts, in its order; made by make-int-vectors.ts.',
    results: values,
  }) + '\n');
  console.log(`${outputs} results`);
} finally {
  rmSync(dir, { recursive: true });
}
