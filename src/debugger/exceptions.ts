/**
 * Exception breakpoints: the events a student may want the machine to stop at, chosen in the
 * editor's Breakpoints view — a fatal signal (on by default, as a crash would stop a native
 * debugger), any signal delivered, chosen signals, the OOM killer, a task created, an exec, a
 * task exiting. They are recognised from the kernel's trace events (kernel/trace.ts).
 */
import type { TraceEvent } from '../kernel/trace';

export interface ExceptionFilterInfo {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly default: boolean;
  /** The filter takes a condition (a list of signal names). */
  readonly conditional?: boolean;
}

export const EXCEPTION_FILTERS: readonly ExceptionFilterInfo[] = [
  { id: 'signal-fatal', label: 'Fatal signals', description: 'A signal is about to kill a process (SIGSEGV, SIGABRT, SIGKILL…).', default: true },
  { id: 'signal-any', label: 'Any signal delivered', description: 'Every signal delivery, whatever its action.', default: false },
  { id: 'signal', label: 'Chosen signals', description: 'Deliveries of the signals named in the condition, e.g. SIGUSR1, SIGCHLD.', default: false, conditional: true },
  { id: 'oom', label: 'OOM kill', description: 'The OOM killer chooses a victim.', default: false },
  { id: 'fork', label: 'Task created', description: 'fork, vfork or clone made a new task.', default: false },
  { id: 'exec', label: 'Exec', description: 'A task executed a new program.', default: false },
  { id: 'exit', label: 'Task exit', description: 'A task is exiting.', default: false },
];

/** What exceptionInfo shows for the last exception stop. */
export interface ExceptionInfo {
  readonly id: string;
  readonly description: string;
  readonly pid?: number;
  readonly details?: Readonly<Record<string, unknown>>;
}

const FATAL_ACTIONS = new Set(['exit', 'core', 'terminate']);

export class ExceptionFilters {
  private enabled = new Set(EXCEPTION_FILTERS.filter((f) => f.default).map((f) => f.id));
  private chosenSignals = new Set<string>();
  private pending: ExceptionInfo | null = null;
  /** The last si_code and fault address per pid, for the signal's description. */
  private readonly lastCode = new Map<number, unknown>();
  private readonly lastFault = new Map<number, unknown>();

  /** Sets the enabled filters; `signals` is the condition of the 'signal' filter. */
  configure(ids: readonly string[], signals = ''): void {
    const known = new Set(EXCEPTION_FILTERS.map((f) => f.id));
    for (const id of ids) if (!known.has(id)) throw new Error(`unknown exception filter '${id}'`);
    this.enabled = new Set(ids);
    this.chosenSignals = new Set(signals.split(/[\s,]+/).filter((s) => s !== '').map((s) => (s.toUpperCase().startsWith('SIG') ? s.toUpperCase() : `SIG${s.toUpperCase()}`)));
  }

  /** The exception an event raises, if its filter is on; it is kept until taken. */
  match(e: TraceEvent): ExceptionInfo | null {
    if (e.event === 'signal_generate') this.lastCode.set(e.pid, e.fields.code);
    if (e.event === 'mm_page_fault') this.lastFault.set(e.pid, e.fields.address);
    const info = this.describe(e);
    if (info !== null && this.pending === null) this.pending = info;
    return info;
  }

  private describe(e: TraceEvent): ExceptionInfo | null {
    const on = (id: string) => this.enabled.has(id);
    const f = e.fields;
    switch (e.event) {
      case 'signal_deliver': {
        const sig = String(f.sig);
        const fatal = FATAL_ACTIONS.has(String(f.action));
        if (!(on('signal-any') || (fatal && on('signal-fatal')) || (on('signal') && this.chosenSignals.has(sig)))) return null;
        const details = { signal: sig, action: f.action, si_code: this.lastCode.get(e.pid), fault_address: sig === 'SIGSEGV' || sig === 'SIGBUS' ? this.lastFault.get(e.pid) : undefined };
        const what = fatal ? `${sig} kills ${e.comm} (pid ${e.pid})` : `${sig} delivered to ${e.comm} (pid ${e.pid}), action ${String(f.action)}`;
        return { id: fatal ? 'signal-fatal' : 'signal', description: what, pid: e.pid, details };
      }
      case 'oom_kill':
        return on('oom') ? { id: 'oom', description: `OOM killer: kills ${String(f.comm)} (pid ${String(f.pid)})`, pid: Number(f.pid), details: f } : null;
      case 'sched_process_fork':
        return on('fork') ? { id: 'fork', description: `${e.comm} (pid ${e.pid}) created pid ${String(f.child_pid)}`, pid: Number(f.child_pid), details: f } : null;
      case 'sched_process_exec':
        return on('exec') ? { id: 'exec', description: `pid ${e.pid} executes ${String(f.filename)}`, pid: e.pid, details: f } : null;
      case 'sched_process_exit':
        return on('exit') ? { id: 'exit', description: `${e.comm} (pid ${e.pid}) exits`, pid: e.pid, details: f } : null;
      default:
        return null;
    }
  }

  take(): ExceptionInfo | null {
    const p = this.pending;
    this.pending = null;
    return p;
  }
}
