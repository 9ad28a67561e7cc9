/**
 * Debug console commands: the machine's state as text, the way a student would look at a Linux
 * system — `ps`, `pstree`, `task <pid>`, `maps <pid>`, `pt <pid> <addr>` (a page-table walk) and
 * `dmesg`. Anything else is an expression (expr.ts).
 */
import { PAGE_SIZE } from '../cpu/physmem';
import { ptePfn, PTE_R, PTE_V, PTE_W, PTE_X, vpnIndex } from '../cpu/sv39';
import { stateLetter, type Kernel } from '../kernel/kernel';
import { pte_bits } from '../kernel/mm/snapshot';
import { formatLogRecord } from '../kernel/printk';
import { task_snapshot } from '../kernel/snapshot';
import type { Task } from '../kernel/task';
import { vmaFlagNames } from './views';

export const COMMANDS = ['ps', 'pstree', 'task', 'maps', 'pt', 'dmesg', 'help'];

export class CommandError extends Error {}

/** The command's output, or undefined when `line` is not a command. */
export function runCommand(k: Kernel, line: string): string | undefined {
  const [cmd, ...args] = line.trim().split(/\s+/);
  switch (cmd) {
    case 'ps': return ps(k);
    case 'pstree': return pstree(k);
    case 'task': return JSON.stringify(task_snapshot(taskArg(k, args[0], 'task <pid>')), null, 2);
    case 'maps': return maps(taskArg(k, args[0], 'maps <pid>'));
    case 'pt': return pageWalk(k, taskArg(k, args[0], 'pt <pid> <address>'), args[1]);
    case 'dmesg': return k.log.map(formatLogRecord).join('\n');
    case 'help': return 'Commands: ps, pstree, task <pid>, maps <pid>, pt <pid> <address>, dmesg. Anything else is evaluated as a C expression in the selected frame ($a0, $pc for registers).';
    default: return undefined;
  }
}

function taskArg(k: Kernel, arg: string | undefined, usage: string): Task {
  if (arg === undefined || !/^\d+$/.test(arg)) throw new CommandError(`usage: ${usage}`);
  const t = k.tasks.find((x) => x.pid === Number(arg));
  if (t === undefined) throw new CommandError(`no task with pid ${arg} (see ps)`);
  return t;
}

function ps(k: Kernel): string {
  const rows = [['PID', 'TGID', 'PPID', 'S', 'COMMAND']];
  for (const t of k.tasks) {
    const kthread = t.mm === null && t.pid !== 1;
    rows.push([String(t.pid), String(t.tgid), String(t.real_parent?.pid ?? 0), stateLetter(t), kthread ? `[${t.comm}]` : t.cmdline.length > 0 ? t.cmdline.join(' ') : t.comm]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padStart(widths[i]))).join('  ')).join('\n');
}

function pstree(k: Kernel): string {
  const lines: string[] = [];
  const walk = (t: Task, prefix: string, last: boolean, root: boolean) => {
    lines.push(`${root ? '' : prefix + (last ? '└─ ' : '├─ ')}${t.comm}(${t.pid})${stateLetter(t) === 'Z' ? ' <defunct>' : ''}`);
    const kids = t.children;
    kids.forEach((c, i) => walk(c, root ? '' : prefix + (last ? '   ' : '│  '), i === kids.length - 1, false));
  };
  for (const t of k.tasks.filter((x) => x.real_parent === null || x.real_parent.pid === 0)) walk(t, '', true, true);
  return lines.join('\n');
}

function maps(t: Task): string {
  const mm = t.mm;
  if (mm === null) return `task ${t.pid} (${t.comm}) is a kernel thread: no address space`;
  return mm.mmap.map((v) => {
    const perms = `${v.vm_flags & 1 ? 'r' : '-'}${v.vm_flags & 2 ? 'w' : '-'}${v.vm_flags & 4 ? 'x' : '-'}${v.vm_flags & 8 ? 's' : 'p'}`;
    const name = v.vm_file?.path ?? v.vm_special?.name ?? '';
    return `${v.vm_start.toString(16).padStart(8, '0')}-${v.vm_end.toString(16).padStart(8, '0')} ${perms} ${(v.vm_pgoff * PAGE_SIZE).toString(16).padStart(8, '0')} ${name.padEnd(20)} ${vmaFlagNames(v.vm_flags)}`;
  }).join('\n');
}

/** The Sv39 walk for `address` in `t`'s page tables, level by level. */
function pageWalk(k: Kernel, t: Task, arg: string | undefined): string {
  if (arg === undefined || !/^(0x[0-9a-f]+|\d+)$/i.test(arg)) throw new CommandError('usage: pt <pid> <address> (hex with 0x, or decimal)');
  const mm = t.mm;
  if (mm === null) return `task ${t.pid} is a kernel thread: no page tables`;
  const va = Number(BigInt(arg));
  const vpn = Math.floor(va / PAGE_SIZE);
  const out = [`task ${t.pid} (${t.comm}), mm ${mm.id}, satp root (pgd) frame ${mm.pgd}, address 0x${va.toString(16)}`];
  let table = mm.pgd;
  const names = ['pgd', 'pmd', 'pte'];
  for (let level = 2; level >= 0; level--) {
    const idx = vpnIndex(vpn, level);
    const pa = table * PAGE_SIZE + idx * 8;
    const pte = k.mem.view.getUint32(pa, true);
    const label = `${names[2 - level]}[${idx}] at frame ${table} + 0x${(idx * 8).toString(16)}`;
    if ((pte & PTE_V) === 0) {
      out.push(`${label}: 0x${pte.toString(16)} not present — the next access faults${level === 0 ? ' (demand paging)' : ''}`);
      return out.join('\n');
    }
    const leaf = (pte & (PTE_R | PTE_W | PTE_X)) !== 0;
    out.push(`${label}: 0x${pte.toString(16)} ${pte_bits(pte)} → frame ${ptePfn(pte)}${leaf ? '' : ' (next table)'}`);
    if (leaf) {
      const pages = k.pages;
      const pfn = ptePfn(pte);
      out.push(`physical address 0x${(pfn * PAGE_SIZE + (va % PAGE_SIZE)).toString(16)}; frame ${pfn}: refcount ${pages._refcount[pfn]}, mapcount ${pages._mapcount[pfn]}`);
      return out.join('\n');
    }
    table = ptePfn(pte);
  }
  return out.join('\n');
}
