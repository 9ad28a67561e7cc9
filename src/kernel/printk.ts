/**
 * The kernel log (kernel/printk/printk.c): what `dmesg` shows — boot messages, the OOM killer's
 * report, segfault lines. Timestamps are virtual time, as `[    0.001234]`.
 */
import { kernel } from './kfunc';

export interface LogRecord {
  readonly ts: number;
  readonly text: string;
}

export function printk(text: string): void {
  const k = kernel();
  const rec = { ts: k.ktime_get_ns(), text };
  k.log.push(rec);
  for (const sink of k.logSinks) sink(rec);
}

export function formatLogRecord(r: LogRecord): string {
  const secs = (r.ts / 1e9).toFixed(6).padStart(12, ' ');
  return `[${secs}] ${r.text}`;
}
