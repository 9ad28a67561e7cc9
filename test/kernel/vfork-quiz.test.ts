/**
 * The course quiz (seeds/000: "exec for a child created by vfork"), answered by stopping the
 * machine inside the kernel: the vfork parent sleeps in wait_for_vfork_done under kernel_clone;
 * the child builds a temporary mm in bprm_mm_init (a one-page stack VMA flagged
 * VM_STACK_INCOMPLETE_SETUP); exec_mmap replaces its mm and mm_release → complete_vfork_done wakes
 * the parent; setup_arg_pages clears the flag once the stack is final.
 */
import assert from 'node:assert/strict';
import { set_kernel_probe, type KernelStop } from '../../src/kernel/kfunc';
import { start_kernel } from '../../src/kernel/init/main';
import { Kernel } from '../../src/kernel/kernel';
import { Task, TASK_KILLABLE, TASK_RUNNING } from '../../src/kernel/task';
import { VM_STACK_INCOMPLETE_SETUP } from '../../src/kernel/mm/vm_flags';
import { DEFAULT_ENV } from '../../src/debugger/config';
import { EXAMPLES, haveExample, RecordingConsole } from './guest';

/** Runs vfork-exec, stopping at the entry of each function in `stops` (every time). */
function runWithStops(stops: string[], onStop: (fn: string, t: Task) => void): RecordingConsole {
  const console = new RecordingConsole();
  const k = new Kernel({ memBytes: 128 * 1024 * 1024, seed: 0, root: EXAMPLES, console });
  const want = new Set(stops);
  set_kernel_probe({
    onEnter(_t, frame): KernelStop | null {
      return want.has(frame.fn) ? { kind: 'stop', reason: frame.fn } : null;
    },
  });
  try {
    start_kernel(k, { filename: './vfork-exec', argv: ['./vfork-exec'], envp: DEFAULT_ENV });
    for (let i = 0; i < 10_000; i++) {
      const r = k.run(100_000_000);
      if (r.kind === 'exited' || r.kind === 'idle') break;
      if (r.kind === 'stop') onStop(r.stop.reason, k.rq.curr!);
    }
  } finally {
    set_kernel_probe(null);
  }
  return console;
}

function stackOf(t: Task): string[] {
  return t.kstack.map((f) => f.fn);
}

describe('kernel: the vfork + exec quiz', function () {
  before(function () {
    if (!haveExample('vfork-exec') || !haveExample('hello')) this.skip();
  });

  it('parent waits in wait_for_vfork_done; the child passes bprm_mm_init, exec_mmap and setup_arg_pages', function () {
    const seen: string[] = [];
    let parent: Task | null = null;
    let firstExec = true;
    const console = runWithStops(['wait_for_vfork_done', 'bprm_mm_init', 'exec_mmap', 'complete_vfork_done', 'setup_arg_pages', 'load_elf_binary'], (fn, t) => {
      if (fn === 'wait_for_vfork_done') {
        parent = t;
        seen.push(fn);
        assert.deepEqual(stackOf(t).slice(-2), ['kernel_clone', 'wait_for_vfork_done']);
        return;
      }
      // Only the first vfork child's exec of ./hello is the quiz's scenario.
      if (parent === null || t.real_parent !== parent || !firstExec) return;
      seen.push(fn);
      // Throughout the child's exec, the parent sleeps killably in wait_for_vfork_done…
      if (fn === 'bprm_mm_init' || fn === 'exec_mmap') {
        assert.equal(parent.__state, TASK_KILLABLE, `parent state at ${fn}`);
        assert.ok(stackOf(parent).includes('wait_for_vfork_done'));
        assert.equal(t.mm, parent.mm, 'the child still runs on the parent\'s mm');
      }
      if (fn === 'complete_vfork_done') {
        // The wake-up comes from exec_mmap → mm_release, with the parent still asleep.
        assert.deepEqual(stackOf(t).slice(-3), ['exec_mmap', 'mm_release', 'complete_vfork_done']);
        assert.equal(parent.__state, TASK_KILLABLE);
      }
      if (fn === 'setup_arg_pages') {
        // …until exec_mmap released the mm: the parent is runnable again, the child has its own mm.
        assert.equal(parent.__state, TASK_RUNNING);
        assert.notEqual(t.mm, parent.mm);
        const stack = t.mm!.mmap.find((v) => v.vm_end === 0x40_0000_0000)!;
        assert.ok((stack.vm_flags & VM_STACK_INCOMPLETE_SETUP) === VM_STACK_INCOMPLETE_SETUP, 'flag still set on entry');
        assert.equal(stack.vm_end - stack.vm_start >= 4096, true);
        firstExec = false;
      }
    });
    assert.deepEqual(seen.slice(0, 6), ['wait_for_vfork_done', 'bprm_mm_init', 'load_elf_binary', 'exec_mmap', 'complete_vfork_done', 'setup_arg_pages']);
    assert.match(console.stdout, /Hello from a RISC-V guest!/);
  });
});
