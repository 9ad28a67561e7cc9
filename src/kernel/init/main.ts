/**
 * Booting (init/main.c): the tasks every Linux system starts with.
 *
 *  - pid 0, `swapper/0` — the boot task, afterwards the idle task (it runs when nothing else can);
 *  - pid 1, `init` — made by `rest_init` with `user_mode_thread(kernel_init)`; after the boot work
 *    (`kernel_init_freeable`: the initcalls, which start kernel threads such as `oom_reaper`) it
 *    opens the console as fds 0, 1, 2 and becomes the first user process. Linux would exec
 *    /sbin/init here; Forkscope's init is built in: it forks, the child execs the user's program
 *    (so even the start of the program can be stepped through), and init then reaps every child
 *    that ends — its own and the orphans that are reparented to it — until none is left;
 *  - pid 2, `kthreadd` — the parent of every kernel thread.
 */
import { console_on_rootfs } from '../drivers/tty/tty_io';
import { ECHILD } from '../errno';
import { AT_FDCWD } from '../fs/uapi';
import { do_execveat_common } from '../exec';
import { do_exit, kernel_wait } from '../exit';
import { CLONE_FILES, CLONE_FS, kernel_clone } from '../fork';
import { files_struct } from '../fs/fs_types';
import { init_fs_struct } from '../fs/fs_struct';
import { init_mount_tree } from '../fs/namespace';
import { current, kernel, kfunc, klocals, set_current, set_kernel, type KGen } from '../kfunc';
import type { Kernel } from '../kernel';
import { kthreadd, kernel_thread } from '../kthread';
import { oom_init } from '../mm/oom_kill';
import { printk } from '../printk';
import { find_task_by_vpid } from '../pid';
import { wait_queue_head } from '../sched/wait';
import {
  RLIMIT_CORE, RLIMIT_MEMLOCK, RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_NOFILE, RLIMIT_NPROC,
  RLIMIT_RTPRIO, RLIMIT_SIGPENDING, RLIMIT_STACK, RLIM_NLIMITS, SIGCHLD, sighand_struct, signal_struct,
} from '../signal_types';
import { PF_IDLE, PF_KTHREAD, Task } from '../task';

/** What the user asked to run: the program, its arguments and environment. */
export interface init_request {
  filename: string;
  argv: string[];
  envp: string[];
}

/** The result of the built-in init's work, read by the CLI and the debugger. */
export interface init_result {
  /** pid of the user's program. */
  pid: number;
  /** Its wait status (as wait4 reports it), once it has been reaped. */
  status: number | null;
  /** Set when the program could not be executed: errno and a sentence. */
  exec_errno: number;
  exec_message: string | null;
}

/** INIT_RLIMITS (include/asm-generic/resource.h), with fork_init's NPROC and SIGPENDING. */
function init_rlimits(max_threads: number): { rlim_cur: number; rlim_max: number }[] {
  const r = Array.from({ length: RLIM_NLIMITS }, () => ({ rlim_cur: Infinity, rlim_max: Infinity }));
  r[RLIMIT_STACK] = { rlim_cur: 8 * 1024 * 1024, rlim_max: Infinity };
  r[RLIMIT_CORE] = { rlim_cur: 0, rlim_max: Infinity };
  r[RLIMIT_NPROC] = { rlim_cur: Math.floor(max_threads / 2), rlim_max: Math.floor(max_threads / 2) };
  r[RLIMIT_NOFILE] = { rlim_cur: 1024, rlim_max: 4096 };
  r[RLIMIT_MEMLOCK] = { rlim_cur: 8 * 1024 * 1024, rlim_max: 8 * 1024 * 1024 };
  r[RLIMIT_SIGPENDING] = { rlim_cur: Math.floor(max_threads / 2), rlim_max: Math.floor(max_threads / 2) };
  r[RLIMIT_MSGQUEUE] = { rlim_cur: 819200, rlim_max: 819200 };
  r[RLIMIT_NICE] = { rlim_cur: 0, rlim_max: 0 };
  r[RLIMIT_RTPRIO] = { rlim_cur: 0, rlim_max: 0 };
  return r;
}

/** The built-in /sbin/init: start the program, then reap children until there are none. */
const init_main = kfunc('init/main.c', function* init_main(req: init_request, result: init_result): KGen<void> {
  const pid = yield* kernel_clone({
    flags: 0, exit_signal: SIGCHLD, pidfd: 0, child_tid: 0, parent_tid: 0, stack: 0, stack_size: 0, tls: 0,
    fn: () => run_program(req, result),
  });
  if (pid < 0) {
    printk(`init: cannot fork the program: error ${-pid}`);
    return;
  }
  result.pid = pid;
  klocals({ program: req.filename, pid });
  for (;;) {
    const r = yield* kernel_wait(-1);
    if (typeof r === 'number') {
      if (r === -ECHILD) break;
      continue;
    }
    if (r.pid === pid) result.status = r.status;
  }
  kernel().halted = true;
});

/** The first child of init: exec the user's program (kernel_execve); on failure, exit. */
const run_program = kfunc('init/main.c', function* run_program(req: init_request, result: init_result): KGen<void> {
  const enc = new TextEncoder();
  const r = yield* do_execveat_common(AT_FDCWD, req.filename, req.argv.map((a) => enc.encode(a)), req.envp.map((e) => enc.encode(e)), 0);
  if (r < 0) {
    result.exec_errno = -r;
    result.exec_message = kernel().execErrors.get(current())?.message ?? null;
    yield* do_exit((-r === 2 ? 127 : 126) << 8);
  }
});

/** kernel_init: pid 1's boot work, then the built-in init. */
const kernel_init = (req: init_request, result: init_result) => kfunc('init/main.c', function* kernel_init(): KGen<void> {
  const k = kernel();
  const me = current();
  me.comm = 'init';
  k.init_pid_ns.child_reaper = me;
  // kernel_init_freeable: wait for kthreadd, run the initcalls, open the console.
  yield* oom_init();
  console_on_rootfs();
  yield* init_main(req, result);
})();

/**
 * start_kernel + rest_init: build pid 0 and let it create init and kthreadd. Returns the result
 * record the built-in init fills in.
 */
export function start_kernel(k: Kernel, req: init_request): init_result {
  set_kernel(k);
  // mnt_init: the guest's root, /dev and /proc (a bad --root or --sysroot fails here, clearly).
  init_mount_tree(k);
  const result: init_result = { pid: 0, status: null, exec_errno: 0, exec_message: null };
  const swapper = new Task();
  swapper.comm = 'swapper/0';
  swapper.flags = PF_KTHREAD | PF_IDLE;
  const sig = new signal_struct();
  sig.wait_chldexit = new wait_queue_head();
  sig.rlim.push(...init_rlimits(k.max_threads));
  swapper.signal = sig;
  swapper.sighand = new sighand_struct();
  swapper.files = new files_struct();
  swapper.fs = init_fs_struct();
  sig.thread_head.push(swapper);
  k.rq.idle = swapper;
  k.tasks.push(swapper);
  set_current(swapper);
  printk('Linux version 6.12.0-forkscope (riscv64) — emulated by Forkscope');
  printk(`Memory: ${(k.mem.nrFrames * 4)}K available`);
  // rest_init: user_mode_thread(kernel_init) gives pid 1; kernel_thread(kthreadd) gives pid 2.
  k.run_kernel_path(swapper, function* rest_init(): KGen<void> {
    yield* kernel_clone({
      flags: 0, exit_signal: 0, pidfd: 0, child_tid: 0, parent_tid: 0, stack: 0, stack_size: 0, tls: 0,
      fn: () => kernel_init(req, result), idle: true,
    });
    const kpid = yield* kernel_thread(kthreadd, CLONE_FS | CLONE_FILES);
    k.kthreads.kthreadd_task = find_task_by_vpid(kpid);
  }());
  return result;
}
