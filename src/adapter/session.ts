/**
 * The Debug Adapter Protocol session: a thin mapping between DAP requests and events and the
 * debugger (debugger/), which owns the machine. Threads are tasks (`tgid:pid comm`), frames are
 * kernel frames over a syscall boundary over user frames, scopes are the debugger's views.
 */
import {
  BreakpointEvent, ExitedEvent, InitializedEvent, LoggingDebugSession, OutputEvent, StoppedEvent, TerminatedEvent,
  ThreadEvent, Handles,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { basename } from 'node:path';
import type { Breakpoint } from '../debugger/breakpoints';
import { COMMANDS, runCommand } from '../debugger/commands';
import { LaunchError, planLaunch, type LaunchConfig } from '../debugger/config';
import { formatValue, store } from '../debugger/cvalue';
import { Debugger, type StepKind, type StopEvent } from '../debugger/debugger';
import { disassembleAt } from '../debugger/disasm';
import { EXCEPTION_FILTERS } from '../debugger/exceptions';
import { evaluate } from '../debugger/expr';
import { readMemory } from '../debugger/memory';
import { taskStack, type StackFrame } from '../debugger/stack';
import { cNode, dataNode, dwarfVariables, filesNode, kernelLocals, mmNode, registers, signalsNode, taskNode, type VarNode } from '../debugger/views';
import type { Task } from '../kernel/task';
import { guestConsole } from './console';
import { connectTerminal, prepareTerminal, type TerminalConsole } from './terminal';
import { memoryReference, parseMemoryReference } from './references';
import { kernelSources } from './sources';
import { VariableHandles } from './variables';

interface LaunchArguments extends DebugProtocol.LaunchRequestArguments, LaunchConfig {
  /** Directory relative paths start from (the extension passes the workspace folder). */
  __base?: string;
}

interface FrameRef {
  readonly task: Task;
  readonly frame: StackFrame;
}

/** How long the editor's terminal may take to start the helper and connect. */
const TERMINAL_TIMEOUT_MS = 20_000;

export class ForkscopeSession extends LoggingDebugSession {
  /**
   * The adapter's script when it runs as its own process (main.ts): the integrated terminal's
   * helper runs it. Inline in the extension host there is none, and no terminal either — a
   * guest waiting for input would block the extension host (the extension starts a process).
   */
  static script: string | undefined;
  private dbg: Debugger | null = null;
  private canRunInTerminal = false;
  /** The integrated terminal once connected; kept across restarts. */
  private terminal: TerminalConsole | null = null;
  private launchArgs: LaunchArguments | null = null;
  private readonly frames = new Handles<FrameRef>(1);
  private readonly vars = new VariableHandles();
  private hex = false;
  /** Breakpoint requests kept to re-apply after a restart. */
  private readonly sourceBps = new Map<string, DebugProtocol.SetBreakpointsArguments>();
  private functionBps: DebugProtocol.SetFunctionBreakpointsArguments | null = null;
  private exceptionArgs: DebugProtocol.SetExceptionBreakpointsArguments | null = null;

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  private get debugger(): Debugger {
    if (this.dbg === null) throw new Error('no program is being debugged (launch first)');
    return this.dbg;
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse, args: DebugProtocol.InitializeRequestArguments): void {
    this.canRunInTerminal = args.supportsRunInTerminalRequest === true;
    response.body = {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsInstructionBreakpoints: true,
      supportsDataBreakpoints: true,
      supportsBreakpointLocationsRequest: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS.map((f) => ({
        filter: f.id, label: f.label, description: f.description, default: f.default,
        supportsCondition: f.conditional, conditionDescription: f.conditional ? 'signal names, e.g. SIGUSR1, SIGCHLD' : undefined,
      })),
      supportsExceptionFilterOptions: true,
      supportsExceptionInfoRequest: true,
      supportsSteppingGranularity: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsSetVariable: true,
      supportsSetExpression: true,
      supportsEvaluateForHovers: true,
      supportsCompletionsRequest: true,
      supportsValueFormattingOptions: true,
      supportsTerminateRequest: true,
      supportsRestartRequest: true,
      supportsLoadedSourcesRequest: true,
      supportsModulesRequest: true,
      supportsDelayedStackTraceLoading: true,
      supportsStepBack: true,
    };
    this.sendResponse(response);
  }

  protected override launchRequest(response: DebugProtocol.LaunchResponse, args: LaunchArguments): void {
    if (args.console === 'integratedTerminal' && this.terminal === null && this.canRunInTerminal && ForkscopeSession.script !== undefined) {
      this.openTerminal(args, ForkscopeSession.script).then(
        (term) => {
          this.terminal = term;
          this.finishLaunch(response, args);
        },
        (e: unknown) => this.sendErrorResponse(response, { id: 1002, format: `cannot start the integrated terminal: ${errText(e)}`, showUser: true }),
      );
      return;
    }
    this.finishLaunch(response, args);
  }

  /** Asks the editor to run the terminal helper, and waits until it has connected. */
  private async openTerminal(args: LaunchArguments, script: string): Promise<TerminalConsole> {
    const link = prepareTerminal(script);
    const ran = new Promise<void>((resolve, reject) => {
      this.runInTerminalRequest({ kind: 'integrated', title: `forkscope: ${basename(String(args.program ?? 'program'))}`, cwd: args.__base ?? process.cwd(), args: link.args,
        // Under VS Code the adapter's node is Electron, which runs scripts only when told to.
        env: { ELECTRON_RUN_AS_NODE: '1' } },
        TERMINAL_TIMEOUT_MS, (r) => (r.success ? resolve() : reject(new Error(r.message ?? 'runInTerminal failed'))));
    });
    const connected = connectTerminal(link, TERMINAL_TIMEOUT_MS);
    await Promise.all([ran, connected]);
    return connected;
  }

  private finishLaunch(response: DebugProtocol.LaunchResponse, args: LaunchArguments): void {
    try {
      this.launchArgs = args;
      this.boot(args);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1001, format: e instanceof LaunchError ? e.message : `cannot start: ${errText(e)}`, showUser: true });
      return;
    }
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  private boot(args: LaunchArguments): void {
    const plan = planLaunch(args, args.__base ?? process.cwd());
    const terminal = plan.console === 'integratedTerminal' ? this.terminal : null;
    if (plan.console === 'integratedTerminal' && terminal === null) {
      const why = this.canRunInTerminal ? 'the adapter runs inside the editor' : 'the editor cannot run a terminal for it (runInTerminal)';
      this.sendEvent(new OutputEvent(`forkscope: no integrated terminal (${why}); the program's output is shown here and its input is empty.\n`, 'console'));
    }
    this.dbg = new Debugger(plan, {
      stopped: (e) => this.onStopped(e),
      output: (category, text) => this.sendEvent(new OutputEvent(text, category)),
      task: (kind, t) => this.sendEvent(new ThreadEvent(kind === 'changed' ? 'started' : kind, t.pid)),
      breakpointChanged: (bp) => this.sendEvent(new BreakpointEvent('changed', this.toDapBreakpoint(bp))),
      exited: (code, message) => {
        if (message !== undefined) this.sendEvent(new OutputEvent(`forkscope: ${message}\n`, 'stderr'));
        this.sendEvent(new ExitedEvent(code));
        this.sendEvent(new TerminatedEvent());
      },
    }, terminal ?? guestConsole((category, text) => this.sendEvent(new OutputEvent(text, category))));
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.debugger.start();
  }

  private onStopped(e: StopEvent): void {
    this.frames.reset();
    this.vars.reset();
    const ev = new StoppedEvent(e.reason, e.task.pid, e.text) as DebugProtocol.StoppedEvent;
    ev.body.allThreadsStopped = true;
    ev.body.description = e.description;
    if (e.hitBreakpointIds !== undefined) ev.body.hitBreakpointIds = e.hitBreakpointIds;
    this.sendEvent(ev);
  }

  // ---- threads, stacks, scopes, variables ----

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: (this.dbg?.tasks ?? []).map((t) => ({ id: t.pid, name: Debugger.taskName(t) })) };
    this.sendResponse(response);
  }

  private taskOf(threadId: number): Task {
    const t = this.debugger.task(threadId);
    if (t === undefined) throw new Error(`task ${threadId} no longer exists`);
    return t;
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse, args: DebugProtocol.StackTraceArguments): void {
    this.guard(response, () => {
      const dbg = this.debugger;
      const t = this.taskOf(args.threadId);
      const all = taskStack(dbg.kernel, dbg.images, t);
      const start = args.startFrame ?? 0;
      const levels = args.levels === undefined || args.levels === 0 ? all.length : args.levels;
      const stackFrames = all.slice(start, start + levels).map((f): DebugProtocol.StackFrame => {
        const id = this.frames.create({ task: t, frame: f });
        const source = f.file === undefined ? undefined : { name: basename(f.file), path: f.file, presentationHint: f.kind === 'kernel' ? 'emphasize' as const : undefined };
        return {
          id, name: f.name, source, line: f.line, column: f.column,
          instructionPointerReference: f.pc === undefined ? undefined : memoryReference(t.pid, f.pc),
          presentationHint: f.kind === 'boundary' ? 'label' : f.kind === 'user' && source === undefined ? 'subtle' : 'normal',
        };
      });
      response.body = { stackFrames, totalFrames: all.length };
    });
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    this.guard(response, () => {
      const dbg = this.debugger;
      const { task: t, frame } = this.frames.get(args.frameId);
      const o = { hex: this.hex };
      const scope = dbg.scope(t, frame);
      const scopes: DebugProtocol.Scope[] = [];
      const add = (name: string, nodes: () => VarNode[], hint?: string, expensive = false) =>
        scopes.push({ name, variablesReference: this.vars.scope(t.pid, nodes), expensive, presentationHint: hint });
      if (frame.kind === 'user') {
        const vars = scope.variables;
        add('Locals', () => dwarfVariables(scope, vars.filter((v) => !v.isParameter), { hex: this.hex }), 'locals');
        add('Arguments', () => dwarfVariables(scope, vars.filter((v) => v.isParameter), { hex: this.hex }), 'arguments');
      } else if (frame.kind === 'kernel') {
        add(`Locals of ${frame.name}`, () => kernelLocals(dbg.kernel, frame.kframe?.locals ?? null, { hex: this.hex }), 'locals');
      }
      const innermost = frame.kind !== 'user' || frame.user?.index === 0;
      add('Registers', () => registers(scope, t, { hex: this.hex }, innermost), 'registers');
      add('Task', () => [taskNode(dbg.kernel, t, o)]);
      add('Memory map', () => [mmNode(t, o)]);
      add('Files', () => filesNode(t));
      add('Signals', () => signalsNode(t));
      response.body = { scopes };
    });
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    this.guard(response, () => {
      if (args.format?.hex !== undefined) this.hex = args.format.hex;
      const c = this.vars.get(args.variablesReference);
      if (c === undefined) {
        response.body = { variables: [] };
        return;
      }
      const nodes = this.vars.children(c, args.start ?? 0, args.count === undefined || args.count === 0 ? undefined : args.count);
      response.body = { variables: nodes.map((n) => this.vars.toDap(n, c.pid)) };
    });
  }

  protected override setVariableRequest(response: DebugProtocol.SetVariableResponse, args: DebugProtocol.SetVariableArguments): void {
    this.guard(response, () => {
      const c = this.vars.get(args.variablesReference);
      const node = c === undefined ? undefined : this.vars.children(c).find((n) => n.name === args.name);
      if (c === undefined || node === undefined) throw new Error(`no variable named ${args.name} here`);
      if (node.set === undefined) throw new Error(`${args.name} cannot be changed from here`);
      const fresh = node.set(args.value);
      response.body = { value: fresh.value, type: fresh.type, variablesReference: this.vars.nodeRef(fresh, c.pid) };
    });
  }

  protected override setExpressionRequest(response: DebugProtocol.SetExpressionResponse, args: DebugProtocol.SetExpressionArguments): void {
    this.guard(response, () => {
      const { t, scope } = this.scopeFor(args.frameId);
      const target = evaluate(args.expression, scope);
      const value = evaluate(args.value, scope);
      if ('kind' in target || 'kind' in value) throw new Error('strings cannot be assigned');
      store(scope.env, target, value);
      const fresh = evaluate(args.expression, scope);
      const node = 'kind' in fresh ? dataNode(args.expression, fresh.text, { hex: this.hex }) : cNode(scope, args.expression, fresh, { hex: this.hex }, args.expression);
      response.body = { value: node.value, type: node.type, variablesReference: this.vars.nodeRef(node, t.pid) };
    });
  }

  /** The frame's scope, or the stopped task's top frame when no frame is given. */
  private scopeFor(frameId: number | undefined) {
    const dbg = this.debugger;
    if (frameId !== undefined) {
      const { task: t, frame } = this.frames.get(frameId);
      return { t, scope: dbg.scope(t, frame) };
    }
    const t = dbg.lastStop?.task ?? dbg.tasks[dbg.tasks.length - 1];
    return { t, scope: dbg.scope(t, taskStack(dbg.kernel, dbg.images, t)[0]) };
  }

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    this.guard(response, () => {
      const dbg = this.debugger;
      if (args.context === 'repl' || args.context === undefined) {
        const out = runCommand(dbg.kernel, args.expression);
        if (out !== undefined) {
          response.body = { result: out, variablesReference: 0 };
          return;
        }
      }
      const { t, scope } = this.scopeFor(args.frameId);
      const hex = args.format?.hex ?? this.hex;
      const v = evaluate(args.expression, scope);
      if ('kind' in v) {
        response.body = { result: JSON.stringify(v.text), variablesReference: 0 };
        return;
      }
      const node = cNode(scope, args.expression, v, { hex }, args.expression);
      response.body = {
        result: formatValue(scope.env, v, hex), type: node.type, variablesReference: this.vars.nodeRef(node, t.pid),
        indexedVariables: node.indexed === true ? node.childCount : undefined,
        memoryReference: node.address === undefined ? undefined : memoryReference(t.pid, node.address),
      };
    });
  }

  protected override completionsRequest(response: DebugProtocol.CompletionsResponse, args: DebugProtocol.CompletionsArguments): void {
    this.guard(response, () => {
      const word = /[\w$]*$/.exec(args.text.slice(0, args.column - 1))?.[0] ?? '';
      const names = new Set<string>(COMMANDS);
      if (this.dbg !== null) {
        const { scope } = this.scopeFor(args.frameId);
        for (const v of scope.variables) names.add(v.name);
      }
      response.body = { targets: [...names].filter((n) => n.startsWith(word)).map((label) => ({ label, length: word.length })) };
    });
  }

  // ---- run control ----

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    this.resume(response, () => this.debugger.continue());
    response.body = { allThreadsContinued: true };
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.guard(response, () => this.debugger.pause());
  }

  private step(response: DebugProtocol.Response, threadId: number, kind: StepKind, granularity: DebugProtocol.SteppingGranularity | undefined): void {
    this.resume(response, () => this.debugger.step(this.taskOf(threadId), kind, granularity === 'instruction' ? 'instruction' : 'line'));
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    this.step(response, args.threadId, 'over', args.granularity);
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    this.step(response, args.threadId, 'in', args.granularity);
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse, args: DebugProtocol.StepOutArguments): void {
    this.step(response, args.threadId, 'out', args.granularity);
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse, args: DebugProtocol.StepBackArguments): void {
    this.resume(response, () => this.debugger.stepBack(this.taskOf(args.threadId), args.granularity === 'instruction' ? 'instruction' : 'line'));
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.resume(response, () => this.debugger.reverseContinue());
  }

  private resume(response: DebugProtocol.Response, go: () => void): void {
    this.guard(response, () => {
      if (this.debugger.running) throw new Error('the machine is already running');
      this.frames.reset();
      this.vars.reset();
      go();
    });
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.dbg?.terminate();
    this.sendResponse(response);
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.dbg?.terminate();
    this.dbg = null;
    this.terminal?.close();
    this.terminal = null;
    this.sendResponse(response);
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse, args: DebugProtocol.RestartArguments): void {
    this.guard(response, () => {
      const launch = (args.arguments as LaunchArguments | undefined) ?? this.launchArgs;
      if (launch === null) throw new Error('nothing to restart');
      this.dbg?.terminate();
      this.launchArgs = launch;
      this.boot(launch);
      for (const a of this.sourceBps.values()) this.applySource(a);
      if (this.functionBps !== null) this.applyFunctions(this.functionBps);
      if (this.exceptionArgs !== null) this.applyExceptions(this.exceptionArgs);
      this.debugger.start();
    });
  }

  // ---- breakpoints ----

  private toDapBreakpoint(bp: Breakpoint): DebugProtocol.Breakpoint {
    return {
      id: bp.id, verified: bp.verified, message: bp.message, line: bp.line,
      source: bp.file === undefined ? undefined : { name: basename(bp.file), path: bp.file },
      instructionReference: bp.kind === 'instruction' && bp.addresses.length > 0 ? `0x${bp.addresses[0].toString(16)}` : undefined,
    };
  }

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    this.guard(response, () => {
      response.body = { breakpoints: this.applySource(args) };
    });
  }

  private applySource(args: DebugProtocol.SetBreakpointsArguments): DebugProtocol.Breakpoint[] {
    const file = args.source.path;
    if (file === undefined) throw new Error('breakpoints need a source file with a path');
    this.sourceBps.set(file, args);
    const bps = this.debugger.setSourceBreakpoints(file, (args.breakpoints ?? []).map((b) => ({
      line: b.line, condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage,
    })));
    return bps.map((b) => this.toDapBreakpoint(b));
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    this.guard(response, () => {
      response.body = { breakpoints: this.applyFunctions(args) };
    });
  }

  private applyFunctions(args: DebugProtocol.SetFunctionBreakpointsArguments): DebugProtocol.Breakpoint[] {
    this.functionBps = args;
    return this.debugger.setFunctionBreakpoints(args.breakpoints).map((b) => this.toDapBreakpoint(b));
  }

  protected override setInstructionBreakpointsRequest(response: DebugProtocol.SetInstructionBreakpointsResponse, args: DebugProtocol.SetInstructionBreakpointsArguments): void {
    this.guard(response, () => {
      const specs = args.breakpoints.map((b) => ({ ...b, address: parseMemoryReference(b.instructionReference).address + (b.offset ?? 0) }));
      response.body = { breakpoints: this.debugger.setInstructionBreakpoints(specs).map((b) => this.toDapBreakpoint(b)) };
    });
  }

  protected override breakpointLocationsRequest(response: DebugProtocol.BreakpointLocationsResponse, args: DebugProtocol.BreakpointLocationsArguments): void {
    this.guard(response, () => {
      const lines = new Set<number>();
      const file = args.source.path;
      for (let line = args.line; file !== undefined && line <= (args.endLine ?? args.line); line++) {
        for (const image of this.debugger.images.loaded) {
          const found = image.dwarf?.breakpointLocations(file, line);
          if (found !== undefined && found.locations.some((l) => l.line === line)) lines.add(line);
        }
      }
      response.body = { breakpoints: [...lines].map((line) => ({ line })) };
    });
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.guard(response, () => this.applyExceptions(args));
  }

  private applyExceptions(args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    this.exceptionArgs = args;
    const ids = [...args.filters, ...(args.filterOptions ?? []).map((o) => o.filterId)];
    const signals = (args.filterOptions ?? []).find((o) => o.filterId === 'signal')?.condition ?? '';
    this.debugger.exceptions.configure(ids, signals);
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    this.guard(response, () => {
      const ex = this.debugger.lastException;
      if (ex === null) throw new Error('the machine did not stop for an exception');
      response.body = {
        exceptionId: ex.id, description: ex.description, breakMode: 'always',
        details: { message: ex.description, typeName: ex.id, stackTrace: ex.details === undefined ? undefined : JSON.stringify(ex.details, null, 2) },
      };
    });
  }

  protected override dataBreakpointInfoRequest(response: DebugProtocol.DataBreakpointInfoResponse, args: DebugProtocol.DataBreakpointInfoArguments): void {
    this.guard(response, () => {
      let pid: number, address: number | undefined, size: number | undefined;
      if (args.variablesReference !== undefined) {
        const c = this.vars.get(args.variablesReference);
        const node = c === undefined ? undefined : this.vars.children(c).find((n) => n.name === args.name);
        pid = c?.pid ?? 0;
        address = node?.address;
        size = node?.size;
      } else if (args.asAddress === true) {
        const ref = parseMemoryReference(args.name);
        pid = ref.pid ?? this.scopeFor(args.frameId).t.pid;
        address = ref.address;
        size = args.bytes ?? 8;
      } else {
        const { t, scope } = this.scopeFor(args.frameId);
        const v = evaluate(args.name, scope);
        pid = t.pid;
        if (!('kind' in v) && v.place.kind === 'memory') {
          address = v.place.address;
          size = v.bytes.length;
        }
      }
      if (address === undefined || size === undefined || size === 0) {
        response.body = { dataId: null, description: `${args.name} is not in memory (a register or a computed value): it cannot be watched` };
        return;
      }
      response.body = {
        dataId: `${pid}@0x${address.toString(16)}/${size}`, description: `${args.name} (${size} bytes at 0x${address.toString(16)})`,
        accessTypes: ['read', 'write', 'readWrite'], canPersist: false,
      };
    });
  }

  protected override setDataBreakpointsRequest(response: DebugProtocol.SetDataBreakpointsResponse, args: DebugProtocol.SetDataBreakpointsArguments): void {
    this.guard(response, () => {
      const dbg = this.debugger;
      const specs = args.breakpoints.map((b) => {
        const m = /^(\d+)@(0x[0-9a-f]+)\/(\d+)$/.exec(b.dataId);
        if (m === null) throw new Error(`'${b.dataId}' is not a data breakpoint id of this session`);
        const task = this.taskOf(Number(m[1]));
        return { task, address: Number(m[2]), size: Number(m[3]), access: b.accessType ?? 'write', description: `0x${Number(m[2]).toString(16)}`, condition: b.condition, hitCondition: b.hitCondition };
      });
      const wps = dbg.setDataBreakpoints(specs);
      response.body = { breakpoints: wps.map((w) => ({ id: w.id, verified: true, message: `watching ${w.size} bytes at 0x${w.address.toString(16)} (${w.access}) in this address space and its forks` })) };
    });
  }

  // ---- memory, disassembly, modules, sources ----

  private refTask(pid: number | undefined): Task {
    if (pid !== undefined) return this.taskOf(pid);
    const dbg = this.debugger;
    return dbg.lastStop?.task ?? dbg.tasks[dbg.tasks.length - 1];
  }

  protected override readMemoryRequest(response: DebugProtocol.ReadMemoryResponse, args: DebugProtocol.ReadMemoryArguments): void {
    this.guard(response, () => {
      const ref = parseMemoryReference(args.memoryReference);
      const t = this.refTask(ref.pid);
      const start = ref.address + (args.offset ?? 0);
      const count = Math.min(args.count, 1 << 20);
      // Read what is readable from the start, a page at a time; the rest is reported unreadable.
      const chunks: Uint8Array[] = [];
      for (let a = start, left = count; left > 0;) {
        const n = Math.min(left, 4096 - (a % 4096));
        const b = readMemory(this.debugger.kernel, t, a, n);
        if (b === null) break;
        chunks.push(b);
        a += n;
        left -= n;
      }
      const bytes = Buffer.concat(chunks);
      response.body = {
        address: `0x${start.toString(16)}`,
        data: bytes.toString('base64'),
        unreadableBytes: count - bytes.length,
      };
    });
  }

  protected override writeMemoryRequest(response: DebugProtocol.WriteMemoryResponse, args: DebugProtocol.WriteMemoryArguments): void {
    this.guard(response, () => {
      const ref = parseMemoryReference(args.memoryReference);
      const t = this.refTask(ref.pid);
      const bytes = new Uint8Array(Buffer.from(args.data, 'base64'));
      const scope = this.debugger.scope(t, undefined);
      scope.env.write(ref.address + (args.offset ?? 0), bytes);
      response.body = { bytesWritten: bytes.length };
    });
  }

  protected override disassembleRequest(response: DebugProtocol.DisassembleResponse, args: DebugProtocol.DisassembleArguments): void {
    this.guard(response, () => {
      const dbg = this.debugger;
      const ref = parseMemoryReference(args.memoryReference);
      const t = this.refTask(ref.pid);
      const lines = disassembleAt(dbg.kernel, dbg.images, t, ref.address + (args.offset ?? 0), args.instructionOffset ?? 0, args.instructionCount);
      let lastFile: string | undefined;
      response.body = {
        instructions: lines.map((l) => {
          const source = l.file !== undefined && l.file !== lastFile ? { name: basename(l.file), path: l.file } : undefined;
          lastFile = l.file ?? lastFile;
          return {
            address: `0x${l.address.toString(16)}`, instructionBytes: l.bytes, instruction: l.text,
            symbol: args.resolveSymbols === false ? undefined : l.symbol, location: source, line: l.line,
            presentationHint: l.bytes === '' ? 'invalid' as const : undefined,
          };
        }),
      };
    });
  }

  /** `modules` has no handler in the base class: it arrives as a custom request. */
  protected override customRequest(command: string, response: DebugProtocol.Response): void {
    if (command === 'modules') this.modulesRequest(response as DebugProtocol.ModulesResponse);
    else this.sendErrorResponse(response, { id: 1003, format: `unknown request '${command}'` });
  }

  private modulesRequest(response: DebugProtocol.ModulesResponse): void {
    this.guard(response, () => {
      const t = this.refTask(undefined);
      const modules = t.mm === null ? [] : this.debugger.images.modules(t.mm);
      response.body = {
        modules: modules.map((m) => ({
          id: m.image.hostPath, name: basename(m.image.guestPath), path: m.image.hostPath,
          addressRange: `0x${m.start.toString(16)}-0x${m.end.toString(16)}`,
          symbolStatus: m.image.dwarf?.info.units.length ? 'DWARF debug information' : 'symbols only',
          // A stripped image's symbols and DWARF may come from a separate debug file.
          symbolFilePath: m.image.debugFile?.hostPath,
        })),
        totalModules: modules.length,
      };
    });
  }

  protected override loadedSourcesRequest(response: DebugProtocol.LoadedSourcesResponse): void {
    this.guard(response, () => {
      const program = new Set<string>();
      for (const image of this.debugger.images.loaded) for (const f of image.dwarf?.lineTable.files ?? []) program.add(image.sourcePath(f));
      response.body = {
        sources: [
          ...[...program].map((p) => ({ name: basename(p), path: p })),
          ...kernelSources().map((p) => ({ name: basename(p), path: p, origin: 'emulated kernel' })),
        ],
      };
    });
  }

  /** Runs a request handler; any error becomes an error response with its message. */
  private guard(response: DebugProtocol.Response, f: () => void): void {
    try {
      f();
      this.sendResponse(response);
    } catch (e) {
      this.sendErrorResponse(response, { id: 1002, format: errText(e), showUser: false });
    }
  }
}

function errText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).replace(/[{}]/g, (c) => (c === '{' ? '(' : ')'));
}
