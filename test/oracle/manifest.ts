// Which examples the oracle test runs, with what, and what Linux does with them.
//
// Every program in examples/bin/ runs under forkscope and under a reference, and the two must
// print the same stdout and stderr and exit with the same status:
//   - 'qemu': the same RISC-V ELF under qemu-riscv64, which runs it on the host's real Linux.
//   - 'native': where qemu-user itself is not Linux, the same C file compiled for x86-64 with the
//     host gcc and run natively. Such programs must print nothing architecture-specific.
//   - 'expected': where running the reference would harm the machine (the OOM killer), the facts
//     are written down here, after checking them once on Linux as `why` says.

/** How a reference run is obtained. */
export type Oracle = 'qemu' | 'native' | 'expected';

export interface Example {
  /** The program in examples/bin/ (its source is examples/<name>.c unless `source` says otherwise). */
  name: string;
  /** Arguments after the program path. */
  args?: string[];
  /** What the program reads on its standard input (default: nothing, /dev/null). */
  stdin?: string;
  /** Linked against the shared C library: runs with the riscv64 sysroot (-L). */
  dynamic?: boolean;
  oracle: Oracle;
  /** Why the reference is not qemu (required for 'native' and 'expected'). */
  why?: string;
  /** The exit status on Linux (128 + N when killed by signal N): the reference must give it too. */
  status: number;
  /** For 'expected': what Linux prints. */
  stdout?: string;
  /** For 'native': other files of examples/bin/ the program executes or reads (built or copied). */
  needs?: string[];
  /** forkscope's --mem for this program. */
  mem?: string;
  /** Set while forkscope cannot run the program yet: the issue it waits for, e.g.
   * 'needs #3 (process model)' or 'needs #4 (memory)'. The test shows as pending with it. */
  pending?: string;
}

export const examples: Example[] = [
  { name: 'hello', oracle: 'qemu', status: 0 },
  { name: 'hello-dyn', dynamic: true, oracle: 'qemu', status: 0 },
  { name: 'exec-args', args: ['one', 'two words', '', 'last'], oracle: 'qemu', status: 0 },
  { name: 'malloc', oracle: 'qemu', status: 0 },
  { name: 'files', oracle: 'qemu', status: 0 },
  { name: 'float', oracle: 'qemu', status: 0 },
  { name: 'errors', oracle: 'qemu', status: 0 },
  { name: 'crash-segv', oracle: 'qemu', status: 128 + 11 },
  { name: 'crash-ill', oracle: 'qemu', status: 128 + 4 },
  { name: 'crash-abort', oracle: 'qemu', status: 128 + 6 },
  // A small scale: the oracle checks the checksum, `npm run bench` measures the full run.
  { name: 'bench', args: ['0.02'], oracle: 'qemu', status: 0 },

  { name: 'fork-wait', oracle: 'qemu', status: 0 },
  {
    name: 'vfork-exec', oracle: 'native', status: 0, needs: ['hello'],
    why: 'qemu-user runs vfork as fork: the child does not share the parent\'s memory',
  },
  {
    name: 'exec-chain', oracle: 'native', status: 0, needs: ['exec-chain-script', 'exec-chain-bad'],
    why: 'qemu-user reverses the environment it passes to the new program (and a guest exec needs binfmt_misc)',
  },
  { name: 'threads', oracle: 'qemu', status: 0 },
  {
    name: 'minish', oracle: 'native', status: 3, needs: ['hello', 'crash-segv'],
    stdin: './hello\n\n./nope\n./crash-segv\n./hello again\nexit 3\n',
    why: 'the shell executes other programs, and a guest exec under qemu-user needs binfmt_misc',
  },
  { name: 'cow', oracle: 'qemu', status: 0 },
  { name: 'zombie', oracle: 'qemu', status: 0 },
  {
    name: 'orphan', oracle: 'native', status: 0,
    why: 'qemu-user does not support prctl(PR_SET_CHILD_SUBREAPER)',
  },
  { name: 'pipe', oracle: 'qemu', status: 0 },
  {
    name: 'signals', oracle: 'native', status: 0,
    why: 'qemu-user sends SIGCHLD for stopped and continued children despite SA_NOCLDSTOP',
  },
  {
    name: 'oom', oracle: 'expected', status: 0, mem: '128M',
    why: 'the reference would exhaust the host\'s memory; checked once on Linux in a 64 MiB memory ' +
      'cgroup, natively and under qemu-riscv64 (128 MiB)',
    stdout: 'parent: forking a child that touches memory until it is killed\n' +
      'parent: child: killed by signal 9 (Killed)\n' +
      'parent: WIFSIGNALED = 1, WTERMSIG = 9\n',
  },
  {
    name: 'forkbomb-limited', oracle: 'native', status: 0,
    why: 'qemu-user needs a helper thread in every child, which RLIMIT_NPROC refuses: the child aborts',
  },
];
