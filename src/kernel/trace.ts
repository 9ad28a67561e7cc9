/**
 * Trace events (design.md, decision 6): every state change a student may want to see —
 * `sched_process_fork`, `sched_process_exec`, `sched_process_exit`, `sched_switch`,
 * `signal_generate`, `signal_deliver`, `sys_enter`/`sys_exit`, `mm_page_fault`, `cow_break`,
 * `oom_kill`… The CLI prints them (`--trace`), the webview draws them, tests assert on them.
 * Events are grouped in categories the user selects; an unselected category costs one lookup.
 */
import { kernel } from './kfunc';
import type { Task } from './task';

export interface TraceEvent {
  /** Virtual time in nanoseconds. */
  readonly ts: number;
  readonly pid: number;
  readonly comm: string;
  readonly event: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Which `--trace` category an event belongs to. */
export function traceCategory(event: string): string {
  if (event.startsWith('sys_')) return 'syscalls';
  if (event.startsWith('signal_')) return 'signal';
  if (event === 'sched_process_exec' || event === 'exec') return 'exec';
  if (event.startsWith('sched_')) return 'sched';
  if (event.startsWith('oom')) return 'oom';
  return 'mm';
}

export const TRACE_CATEGORIES = ['sched', 'syscalls', 'signal', 'exec', 'mm', 'oom'] as const;

export type TraceSink = (e: TraceEvent) => void;

/** Emits an event for `task` (the current task unless given) if its category is enabled. */
export function trace(event: string, task: Task | null, fields: Record<string, unknown>): void {
  const k = kernel();
  if (k.traceSinks.length === 0 || !k.traceEnabled.has(traceCategory(event))) return;
  const e: TraceEvent = { ts: k.ktime_get_ns(), pid: task?.pid ?? 0, comm: task?.comm ?? '', event, fields };
  for (const sink of k.traceSinks) sink(e);
}

/** One ftrace-like line: `hello-3 [000] 0.001234: sched_process_exec: filename=/hello pid=3`. */
export function formatTraceEvent(e: TraceEvent): string {
  const secs = (e.ts / 1e9).toFixed(6);
  const fields = Object.entries(e.fields).map(([k, v]) => `${k}=${formatValue(v)}`).join(' ');
  return `${e.comm}-${e.pid} [000] ${secs}: ${e.event}: ${fields}`;
}

function formatValue(v: unknown): string {
  if (typeof v === 'string') return /[\s"]/.test(v) ? JSON.stringify(v) : v;
  if (Array.isArray(v)) return '[' + v.map(formatValue).join(',') + ']';
  if (typeof v === 'bigint') return '0x' + v.toString(16);
  return String(v);
}
