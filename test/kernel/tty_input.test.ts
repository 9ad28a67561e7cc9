/**
 * A terminal fed asynchronously (the debug adapter's): a reader sleeps in n_tty_read until input
 * is pushed through tty_insert_flip_string; signals interrupt or restart that sleep; poll and
 * select see the terminal readable only once input is there; VEOF reads as end of file; a
 * hung-up terminal reads 0, fails writes with EIO and polls as hung up.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_ENV } from '../../src/debugger/config';
import { tty_input_awaited } from '../../src/kernel/drivers/tty/tty';
import { tty_insert_flip_string } from '../../src/kernel/drivers/tty/tty_buffer';
import { tty_hangup } from '../../src/kernel/drivers/tty/tty_io';
import { start_kernel } from '../../src/kernel/init/main';
import { Kernel, stateLetter } from '../../src/kernel/kernel';
import { tempDir } from './fs_machine';
import { TypedTerminal } from './guest';
import { GCC, requireTool } from '../tools';

describe('tty: a terminal whose input arrives while the guest waits', function () {
  let bin: string;
  let cleanup: () => void;

  before(function () {
    requireTool(this, GCC);
    [bin, cleanup] = tempDir('tty-input-');
    execFileSync(GCC, ['-static', '-O1', '-o', join(bin, 'tty_input'), join(__dirname, 'tty_guests', 'tty_input.c')]);
  });

  after(function () {
    cleanup?.();
  });

  it('reads sleep until input, signals interrupt them, poll and select wait for it, VEOF and hangup end it', function () {
    const term = new TypedTerminal();
    const k = new Kernel({ memBytes: 64 << 20, seed: 0, root: bin, console: term });
    const result = start_kernel(k, { filename: './tty_input', argv: ['./tty_input'], envp: DEFAULT_ENV });
    /** Runs until every task is asleep (or the end); says where the guest sleeps. */
    const runUntilIdle = (): string => {
      let kind: string;
      do kind = k.run(100_000_000).kind; while (kind === 'budget');
      assert.equal(kind, 'idle');
      assert.ok(tty_input_awaited(k), 'idle, with the guest waiting for the terminal');
      const guest = k.tasks.find((t) => t.pid === result.pid);
      assert.ok(guest !== undefined);
      const kernelPath = guest.kstack.map((f) => f.fn);
      return `${stateLetter(guest)} in ${kernelPath.slice(-2).join(' > ')}`;
    };
    const type = (s: string): void => {
      tty_insert_flip_string(k, new TextEncoder().encode(s));
    };

    assert.equal(runUntilIdle(), 'S in n_tty_read > ___wait_event');
    assert.equal(term.output, [
      'isatty 1',
      'before input: poll 0 revents 0, select 0',
      'read, SIGALRM without SA_RESTART: -1 EINTR',
      'alarms 1',
      '',
    ].join('\n'));

    term.output = '';
    type('hello\n');
    assert.equal(runUntilIdle(), 'S in do_sys_poll > do_poll');
    assert.equal(term.output, 'read, SIGALRM with SA_RESTART: 6 "hello\n"\nalarms 2\n');

    term.output = '';
    type('two\nlines\n');
    assert.equal(runUntilIdle(), 'S in n_tty_read > ___wait_event');
    assert.equal(term.output, [
      'poll until input: 1 revents 0x1',
      'FIONREAD 10',
      'first read: 4 "two\n"',
      'second read: 6 "lines\n"',
      'all read: poll 0 revents 0, select 0',
      'read, O_NONBLOCK: -1 EAGAIN',
      '',
    ].join('\n'));

    term.output = '';
    type('end\x04\x04');
    assert.match(runUntilIdle(), /^S in .*select/);
    assert.equal(term.output, 'read up to ^D: 3 "end"\nread of a lone ^D: 0 ""\n');

    term.output = '';
    tty_hangup(k);
    let kind: string;
    do kind = k.run(100_000_000).kind; while (kind === 'budget');
    assert.equal(kind, 'exited');
    assert.equal(result.status, 0);
    assert.equal(term.output, '');
    assert.equal(readFileSync(join(bin, 'after-hangup'), 'latin1'), [
      'select until hangup: 1, fd 0 readable',
      'hung up: poll 1 revents 0x19, select 1',
      'read: 0 ""',
      'write: -1 EIO',
      '',
    ].join('\n'));
    assert.equal(tty_input_awaited(k), false);
  });
});
