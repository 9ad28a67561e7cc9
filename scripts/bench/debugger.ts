// The debugger (issue 5): how quickly the editor gets answers — `next` → stopped, a stack trace
// with kernel frames, the variables of a task_struct, and launch → first stop — as medians over
// many requests, timed by a DAP client over stdio (scripts/bench/debugger-client.ts), and what
// a step back costs (a replay from boot: short in main, the whole run late in bench). Aims:
// next ≤ 20 ms, launch ≤ 300 ms. And the cost of breakpoints that are set but never hit:
// `bench 0.1` with 20 of them against without, aim ≤ 10 % slower.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildBenchGuests, CROSS_CC } from './guests';
import { median } from './measure';
import type { BenchContext, Row, Section } from './section';

function fmt(values: number[] | undefined): string {
  return values === undefined || values.length === 0 ? 'n/a' : `${median(values).toFixed(1)} ms`;
}

function unhitRow(m: Record<string, number[]>): Row {
  const ratio = median(m.unhit) / median(m.bare);
  const set = Math.min(...m.unhitVerified);
  const stops = Math.max(...m.unhitStops);
  return {
    label: '20 unhit breakpoints / none',
    value: `${ratio.toFixed(3)}×`,
    note: `bench 0.1 under the debugger, medians of ${m.bare.length} runs each (${fmt(m.unhit)} vs ${fmt(m.bare)}); `
      + `${set} of 20 verified, ${stops === 0 ? 'none hit' : `${stops} stops: not all unhit`}; aim ≤ 1.10×`,
  };
}

export const debuggerSection: Section = {
  id: 'debugger',
  title: 'Debugger responsiveness (DAP over stdio, fork-wait) and the cost of unhit breakpoints (bench)',
  run(context: BenchContext): Row[] {
    const client = join(context.root, 'dist', 'bench-debugger.js');
    if (!existsSync(client) || !existsSync(join(context.root, 'dist', 'adapter.js'))) {
      return [{ label: 'skipped', value: '', note: 'dist/adapter.js or dist/bench-debugger.js missing: run `npm run build`' }];
    }
    const samples = Math.max(5, Math.round(30 * context.runs / 3));
    const guests = buildBenchGuests(context, ['sleepers']);
    const args = [client, context.root, String(samples), ...(guests === undefined ? [] : [join(guests.dir, 'sleepers')])];
    const r = spawnSync(context.node, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
    guests?.remove();
    if (r.status !== 0) return [{ label: 'failed', value: '', note: (r.stderr || r.error?.message || 'no output').trim() }];
    const m = JSON.parse(r.stdout) as Record<string, number[]>;
    return [
      { label: 'next → stopped', value: fmt(m.next), note: `median of ${m.next.length} line steps in main; aim ≤ 20 ms` },
      { label: 'pause → stopped, tight loop', value: fmt(m.pauseLoop), note: `median of ${m.pauseLoop.length}, bench running; aim ≤ 50 ms` },
      { label: 'pause → stopped, 2,000 tasks', value: guests === undefined ? 'n/a' : fmt(m.pauseTasks),
        note: guests === undefined ? `${CROSS_CC} is not installed: sleepers not built` : `median of ${m.pauseTasks.length}, sleepers 2000 with every child created; aim ≤ 50 ms` },
      { label: 'stepBack → stopped', value: fmt(m.stepBack), note: `median of ${m.stepBack.length} line steps back in main (a replay from boot each)` },
      { label: 'stepBack late in bench 0.1', value: fmt(m.stepBackLong), note: `median of ${m.stepBackLong.length}: one instruction back, stopped in exit, a replay of the whole run` },
      { label: 'stackTrace (kernel frames)', value: fmt(m.stackTrace), note: `median of ${m.stackTrace.length}, stopped in copy_process` },
      { label: 'task_struct variables', value: fmt(m.taskStruct), note: `scopes + Task + its fields, median of ${m.taskStruct.length}` },
      { label: 'launch → first stop', value: fmt(m.launch), note: `median of ${m.launch.length} launches with stopOnEntry; aim ≤ 300 ms` },
      unhitRow(m),
    ];
  },
};
