/**
 * The Variables view's trees, built from the machine and independent of DAP: a frame's DWARF
 * locals, its registers, the task's task_struct (Linux's field names, states and flags decoded,
 * parent/children/threads expandable into their own task_structs), its mm_struct and VMAs, its
 * file descriptors and its signals, and a kernel function's recorded locals. Children are
 * computed only when expanded.
 */
import { typeName, type Variable } from '../dwarf';
import { ABI_NAMES } from '../cpu/state';
import type { Kernel } from '../kernel/kernel';
import { mm_snapshot, vma_snapshot } from '../kernel/mm/snapshot';
import { vm_flags_names, VM_STACK_INCOMPLETE_SETUP } from '../kernel/mm/vm_flags';
import { task_snapshot } from '../kernel/snapshot';
import { signame } from '../kernel/signal_types';
import { Task } from '../kernel/task';
import { childCount, children, formatValue, store, type CValue } from './cvalue';
import { evaluate } from './expr';
import type { FrameScope } from './frame_scope';

export interface VarNode {
  readonly name: string;
  readonly value: string;
  readonly type?: string;
  /** Expandable: all children, or `count` of them fetched a page at a time. */
  readonly children?: (start: number, count: number) => VarNode[];
  readonly childCount?: number;
  /** Arrays are paged by index (DAP indexedVariables). */
  readonly indexed?: boolean;
  /** Guest address and size of the value, for the memory view and data breakpoints. */
  readonly address?: number;
  readonly size?: number;
  /** An expression that evaluates to this value in the frame (watch, copy as expression). */
  readonly evaluateName?: string;
  /** Assigns from an expression's text; returns the new node. Throws with a clear message. */
  readonly set?: (text: string) => VarNode;
}

export interface ViewOptions {
  readonly hex: boolean;
}

// ---- DWARF values ----

export function cNode(scope: FrameScope, name: string, v: CValue | Error, o: ViewOptions, evaluateName?: string): VarNode {
  if (v instanceof Error) return { name, value: `<${v.message}>` };
  const n = childCount(v);
  const s = v.type;
  return {
    name,
    value: formatValue(scope.env, v, o.hex),
    type: typeName(s),
    address: v.place.kind === 'memory' ? v.place.address : undefined,
    size: v.bytes.length,
    evaluateName,
    childCount: n,
    indexed: n > 0 && typeName(s).endsWith(']'),
    children: n === 0 ? undefined : (start, count) => children(scope.env, v, start, count).map((c) => {
      const en = evaluateName === undefined ? undefined : c.name === '*' ? `*(${evaluateName})` : c.name.startsWith('[') ? `(${evaluateName})${c.name}` : `(${evaluateName}).${c.name}`;
      return cNode(scope, c.name === '*' ? `*${name}` : c.name, c.value, o, en);
    }),
    set: (text) => {
      const value = evaluate(text, scope);
      if ('kind' in value) throw new Error('cannot assign a string');
      store(scope.env, v, value);
      const fresh = evaluateName === undefined ? v : evaluate(evaluateName, scope);
      return cNode(scope, name, 'kind' in fresh ? v : fresh, o, evaluateName);
    },
  };
}

/** Locals or arguments of a user frame. */
export function dwarfVariables(scope: FrameScope, vars: readonly Variable[], o: ViewOptions): VarNode[] {
  return vars.filter((v) => v.name !== '').map((v) => {
    let value: CValue | Error;
    try {
      value = scope.valueOf(v);
    } catch (e) {
      value = e instanceof Error ? e : new Error(String(e));
    }
    return cNode(scope, v.name, value, o, v.name);
  });
}

// ---- registers ----

/** An outer frame's register the unwinder could not recover (caller-saved, clobbered since). */
const NOT_SAVED = '<not available in this frame>';

/**
 * The Registers scope. Outer frames show what the unwinder recovered (callee-saved registers,
 * sp, the return address; everything at a signal frame) and mark the rest as not available.
 */
export function registers(scope: FrameScope, t: Task, o: ViewOptions, innermost: boolean): VarNode[] {
  const out: VarNode[] = [];
  const hex = (v: bigint) => `0x${v.toString(16).padStart(16, '0')}`;
  const pc = scope.register('pc');
  out.push({ name: 'pc', value: pc === undefined ? '?' : hex(BigInt.asUintN(64, BigInt(readInt(pc)))), evaluateName: '$pc' });
  for (let i = 0; i < 32; i++) {
    const r = scope.register(ABI_NAMES[i]);
    const name = `${ABI_NAMES[i]} (x${i})`;
    if (r === undefined) {
      out.push({ name, value: NOT_SAVED });
      continue;
    }
    const raw = BigInt.asUintN(64, BigInt(readInt(r)));
    const shown = o.hex || i === 1 || i === 2 || i === 3 || i === 4 || i === 8 ? hex(raw) : `${BigInt.asIntN(64, raw)} (${hex(raw)})`;
    out.push({ name, value: shown, evaluateName: `$${ABI_NAMES[i]}`, set: innermost ? (text) => setReg(scope, i, text, name) : undefined });
  }
  out.push({ name: 'f0–f31', value: 'floating point', children: () => fpRegisters(scope) });
  // No unwinding rule recovers fcsr: an outer frame's value is not known.
  if (!innermost) out.push({ name: 'fcsr', value: NOT_SAVED });
  else out.push({ name: 'fcsr', value: `0x${((t.regs.frm << 5) | t.regs.fflags).toString(16)}`, children: () => [
    { name: 'frm', value: String(t.regs.frm) }, { name: 'fflags', value: `0x${t.regs.fflags.toString(16)} (NV DZ OF UF NX bits)` },
  ] });
  return out;
}

function readInt(v: CValue): bigint {
  let x = 0n;
  for (let i = v.bytes.length - 1; i >= 0; i--) x = (x << 8n) | BigInt(v.bytes[i]);
  return x;
}

function setReg(scope: FrameScope, i: number, text: string, name: string): VarNode {
  const v = evaluate(text, scope);
  if ('kind' in v) throw new Error('a register holds a number, not a string');
  let x = 0n;
  for (let b = v.bytes.length - 1; b >= 0; b--) x = (x << 8n) | BigInt(v.bytes[b]);
  scope.env.writeRegister(i, x);
  return { name, value: `0x${x.toString(16)}` };
}

function fpRegisters(scope: FrameScope): VarNode[] {
  const names = ['ft0', 'ft1', 'ft2', 'ft3', 'ft4', 'ft5', 'ft6', 'ft7', 'fs0', 'fs1', 'fa0', 'fa1', 'fa2', 'fa3', 'fa4', 'fa5',
    'fa6', 'fa7', 'fs2', 'fs3', 'fs4', 'fs5', 'fs6', 'fs7', 'fs8', 'fs9', 'fs10', 'fs11', 'ft8', 'ft9', 'ft10', 'ft11'];
  return names.map((n, i) => {
    const name = `${n} (f${i})`;
    const raw = scope.registerBits(32 + i);
    if (raw === undefined) return { name, value: NOT_SAVED };
    const bits = new DataView(new ArrayBuffer(8));
    bits.setBigUint64(0, raw, true);
    const boxed = bits.getUint32(4, true) === 0xffffffff ? `float ${bits.getFloat32(0, true)}, ` : '';
    return { name, value: `${boxed}double ${bits.getFloat64(0, true)}, raw 0x${raw.toString(16).padStart(16, '0')}` };
  });
}

// ---- kernel data ----

/** A plain value (snapshots, kernel locals) as a node; objects and arrays expand. */
export function dataNode(name: string, v: unknown, o: ViewOptions): VarNode {
  if (v !== null && typeof v === 'object') {
    const entries = Array.isArray(v) ? v.map((x, i) => [`[${i}]`, x] as const) : Object.entries(v as Record<string, unknown>);
    const preview = Array.isArray(v) ? `[${v.length}]` : '{…}';
    return { name, value: preview, childCount: entries.length, indexed: Array.isArray(v), children: (start, count) => entries.slice(start, start + count).map(([k, x]) => dataNode(k, x, o)) };
  }
  if (typeof v === 'number' && Number.isInteger(v) && o.hex) return { name, value: `0x${v.toString(16)}` };
  if (typeof v === 'bigint') return { name, value: `0x${v.toString(16)}` };
  if (typeof v === 'string') return { name, value: JSON.stringify(v) };
  return { name, value: String(v) };
}

/**
 * A kernel function's recorded locals (klocals): clone_flags decoded, the new task, the bprm…
 * A task among them is shown as its task_struct, as a pointer would be in Linux.
 */
export function kernelLocals(k: Kernel, locals: Record<string, unknown> | null, o: ViewOptions): VarNode[] {
  return Object.entries(locals ?? {}).map(([name, v]) => (v instanceof Task ? taskNode(k, v, o, name) : dataNode(name, v, o)));
}

/** `task_struct` with Linux's field names; parent, children and threads expand into theirs. */
export function taskNode(k: Kernel, t: Task, o: ViewOptions, name = 'task_struct'): VarNode {
  const snap = task_snapshot(t) as Record<string, unknown>;
  return { name, value: `${t.comm} (pid ${t.pid}, ${String(snap.state)})`, type: 'struct task_struct', children: () => taskFields(k, t, snap, o) };
}

function taskFields(k: Kernel, t: Task, snap: Record<string, unknown>, o: ViewOptions): VarNode[] {
  const byPid = (pid: number) => k.tasks.find((x) => x.pid === pid);
  const link = (field: string, pid: unknown): VarNode => {
    const target = typeof pid === 'number' ? byPid(pid) : undefined;
    return target === undefined ? dataNode(field, pid, o) : taskNode(k, target, o, field);
  };
  const list = (field: string, pids: unknown): VarNode => {
    const arr = Array.isArray(pids) ? (pids as number[]) : [];
    return { name: field, value: `[${arr.length}] ${arr.join(', ')}`, childCount: arr.length, indexed: true,
      children: (start, count) => arr.slice(start, start + count).map((p, i) => link(`[${start + i}]`, p)) };
  };
  const out: VarNode[] = [];
  for (const [key, v] of Object.entries(snap)) {
    if (key === 'real_parent' || key === 'parent' || key === 'group_leader') out.push(link(key, v));
    else if (key === 'children' || key === 'threads') out.push(list(key, v));
    else if (key === '__state') out.push({ name: key, value: `0x${t.__state.toString(16)} (${String(snap.state)})` });
    else if (key === 'mm' || key === 'active_mm') out.push(key === 'mm' && t.mm !== null ? mmNode(t, o, key) : dataNode(key, v, o));
    else if (key === 'kernel_stack' || key === 'state') continue;
    else out.push(dataNode(key, v, o));
  }
  return out;
}

/** Flag names of a VMA, with VM_STACK_INCOMPLETE_SETUP named for what it means during exec. */
export function vmaFlagNames(flags: number): string {
  const incomplete = (flags & VM_STACK_INCOMPLETE_SETUP) === VM_STACK_INCOMPLETE_SETUP;
  const names = incomplete ? [...vm_flags_names(flags & ~VM_STACK_INCOMPLETE_SETUP), 'VM_STACK_INCOMPLETE_SETUP'] : vm_flags_names(flags);
  return names.length === 0 ? '0' : names.join(' | ');
}

/** `mm_struct` with its VMAs. */
export function mmNode(t: Task, o: ViewOptions, name = 'mm_struct'): VarNode {
  const mm = t.mm;
  if (mm === null) return { name, value: 'NULL (a kernel thread has no address space)' };
  return {
    name, value: `mm ${mm.id}: ${mm.mmap.length} VMAs, mm_users ${mm.mm_users}`, type: 'struct mm_struct',
    children: () => {
      const snap = mm_snapshot(mm) as unknown as Record<string, unknown>;
      const fields = Object.entries(snap).filter(([key]) => key !== 'vmas' && key !== 'mmap').map(([key, v]) => dataNode(key, v, { hex: o.hex || /start|end|base|brk|pgd/.test(key) }));
      return [vmasNode(t, o), ...fields];
    },
  };
}

export function vmasNode(t: Task, o: ViewOptions): VarNode {
  const mm = t.mm;
  const vmas = mm?.mmap ?? [];
  return {
    name: 'mmap (VMAs)', value: `[${vmas.length}]`, childCount: vmas.length, indexed: true,
    children: (start, count) => vmas.slice(start, start + count).map((vma) => {
      const view = vma_snapshot(vma) as unknown as Record<string, unknown>;
      const label = view.file ?? view.name ?? '[anon]';
      return {
        name: `0x${vma.vm_start.toString(16)}-0x${vma.vm_end.toString(16)}`,
        value: `${vmaFlagNames(vma.vm_flags)}  ${String(label)}`,
        type: 'struct vm_area_struct',
        address: vma.vm_start,
        children: () => [
          { name: 'vm_start', value: `0x${vma.vm_start.toString(16)}` },
          { name: 'vm_end', value: `0x${vma.vm_end.toString(16)}` },
          { name: 'vm_flags', value: `0x${vma.vm_flags.toString(16)} (${vmaFlagNames(vma.vm_flags)})` },
          ...Object.entries(view).filter(([key]) => !['vm_start', 'vm_end', 'vm_flags', 'flags'].includes(key)).map(([key, v]) => dataNode(key, v, o)),
        ],
      };
    }),
  };
}

/** The file descriptor table. */
export function filesNode(t: Task): VarNode[] {
  const files = t.files;
  if (files === null) return [{ name: 'files', value: 'NULL' }];
  const out: VarNode[] = [{ name: 'count', value: `${files.count} (tasks sharing this table)` }];
  files.fd.forEach((f, fd) => {
    if (f === null || f === undefined) return;
    out.push({
      name: `fd ${fd}`, value: `${f.f_path.d_path}${files.close_on_exec[fd] === true ? ' (close-on-exec)' : ''}`, type: 'struct file',
      children: () => [
        { name: 'f_path', value: JSON.stringify(f.f_path.d_path) },
        { name: 'f_flags', value: `0o${f.f_flags.toString(8)}` },
        { name: 'f_pos', value: String(f.f_pos) },
        { name: 'f_count', value: String(f.f_count) },
      ],
    });
  });
  return out;
}

/** Pending and blocked signals and the handlers. */
export function signalsNode(t: Task): VarNode[] {
  const set = (s: bigint) => {
    const names: string[] = [];
    for (let i = 1; i <= 64; i++) if ((s & (1n << BigInt(i - 1))) !== 0n) names.push(signame(i));
    return names.length === 0 ? '{}' : `{${names.join(', ')}}`;
  };
  const actions = t.sighand?.action ?? [];
  const handlers: VarNode[] = [];
  actions.forEach((a, i) => {
    if (a.sa_handler === 0 && a.sa_flags === 0) return;
    const h = a.sa_handler === 1 ? 'SIG_IGN' : `0x${a.sa_handler.toString(16)}`;
    handlers.push({ name: signame(i + 1), value: `${h} flags 0x${a.sa_flags.toString(16)} mask ${set(a.sa_mask)}` });
  });
  return [
    { name: 'pending', value: set(t.pending.signal) },
    { name: 'shared_pending', value: set(t.signal?.shared_pending.signal ?? 0n) },
    { name: 'blocked', value: set(t.blocked) },
    { name: 'handlers (sighand->action)', value: handlers.length === 0 ? 'all SIG_DFL' : `${handlers.length} set`, children: () => handlers },
  ];
}
