/**
 * The kernel's access to user memory: exact EFAULT at page boundaries, strings, get/put_user,
 * faults taken on the way (stack growth, copy-on-write), and access to another mm.
 */
import assert from 'node:assert/strict';
import { EFAULT, ENAMETOOLONG } from '../../src/kernel/errno';
import { set_current } from '../../src/kernel/kfunc';
import { dup_mm, mm_alloc } from '../../src/kernel/mm/fork';
import { insert_vm_struct, STACK_TOP, vm_mmap } from '../../src/kernel/mm/mmap';
import { vm_area_struct } from '../../src/kernel/mm/mm_types';
import { pte_offset, ptep_get } from '../../src/kernel/mm/pgtable';
import {
  access_remote_vm, clear_user, copy_from_user, copy_to_user, get_user_u32, get_user_u64, put_user_u32, put_user_u64,
  strncpy_from_user,
} from '../../src/kernel/mm/uaccess';
import { MAP_ANONYMOUS, MAP_FIXED, MAP_PRIVATE, PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE, VM_STACK_FLAGS } from '../../src/kernel/mm/vm_flags';
import { machine, makeTask, PAGE, run } from './mm_machine';

const ANON = MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED;
const RW = PROT_READ | PROT_WRITE;
const BASE = 0x20000000;

describe('mm: uaccess', function () {
  it('copies across pages, and stops exactly where an unmapped page begins', function () {
    machine();
    run(vm_mmap(null, BASE, 2 * PAGE, RW, ANON, 0));
    const data = new Uint8Array(3 * PAGE).map((_v, i) => i & 0xff);
    // Starting 100 bytes before the end of the mapping: 100 bytes fit, the rest does not.
    const start = BASE + 2 * PAGE - 100;
    assert.equal(run(copy_to_user(start, data.subarray(0, 300))), 200);
    const back = new Uint8Array(300).fill(0xee);
    assert.equal(run(copy_from_user(back, start)), 200);
    assert.deepEqual(back.subarray(0, 100), data.subarray(0, 100));
    assert.ok(back.subarray(100).every((b) => b === 0), 'the uncopied tail is zeroed');
    assert.equal(run(copy_to_user(BASE + 10, data)), PAGE + 10, 'a copy over two and a half pages writes two');
  });

  it('gives EFAULT for addresses outside user space, NULL, PROT_NONE, and writes to read-only memory', function () {
    machine();
    run(vm_mmap(null, BASE, PAGE, PROT_READ, ANON, 0));
    run(vm_mmap(null, BASE + PAGE, PAGE, PROT_NONE, ANON, 0));
    run(vm_mmap(null, BASE + 2 * PAGE, PAGE, PROT_EXEC, ANON, 0));
    const b = new Uint8Array(8);
    assert.equal(run(copy_from_user(b, 0)), 8);
    assert.equal(run(copy_from_user(b, 2 ** 38 - 4)), 8, 'crossing the top of user space');
    assert.equal(run(copy_from_user(b, -8)), 8);
    assert.equal(run(copy_from_user(b, 2 ** 60)), 8);
    assert.equal(run(copy_from_user(b, BASE)), 0, 'readable');
    assert.equal(run(copy_to_user(BASE, b)), 8, 'not writable');
    assert.equal(run(copy_from_user(b, BASE + PAGE)), 8, 'PROT_NONE');
    assert.equal(run(copy_from_user(b, BASE + 2 * PAGE)), 8, 'execute-only is not readable');
    assert.equal(run(get_user_u32(BASE + PAGE - 2)), -EFAULT, 'a u32 straddling into PROT_NONE');
    assert.equal(run(put_user_u32(0x1000, 1)), -EFAULT);
  });

  it('reads strings up to their NUL, -EFAULT into an unmapped page, -ENAMETOOLONG without a NUL', function () {
    machine();
    run(vm_mmap(null, BASE, PAGE, RW, ANON, 0));
    const s = new TextEncoder().encode('héllo\0');
    run(copy_to_user(BASE + PAGE - s.length, s));
    assert.equal(run(strncpy_from_user(BASE + PAGE - s.length, 4096)), 'héllo');
    run(copy_to_user(BASE + PAGE - 3, new TextEncoder().encode('abc')));
    assert.equal(run(strncpy_from_user(BASE + PAGE - 3, 4096)), -EFAULT);
    assert.equal(run(strncpy_from_user(BASE + PAGE - 3, 3)), -ENAMETOOLONG);
    assert.equal(run(strncpy_from_user(0, 10)), -EFAULT);
  });

  it('get_user/put_user of u32 and u64, and clear_user', function () {
    machine();
    run(vm_mmap(null, BASE, PAGE, RW, ANON, 0));
    assert.equal(run(put_user_u32(BASE, 0xdeadbeef)), 0);
    assert.equal(run(get_user_u32(BASE)), 0xdeadbeef);
    assert.equal(run(put_user_u64(BASE + 8, -2n)), 0);
    assert.equal(run(get_user_u64(BASE + 8)), 2n ** 64n - 2n);
    assert.equal(run(get_user_u64(BASE + PAGE - 4)), -EFAULT);
    assert.equal(run(clear_user(BASE, 12)), 0);
    assert.equal(run(get_user_u64(BASE + 8)), 0xffffffffn << 32n);
  });

  it('grows the stack and breaks copy-on-write on the way, like a user access', function () {
    const m = machine();
    const stack = new vm_area_struct(m.mm, STACK_TOP - PAGE, STACK_TOP, VM_STACK_FLAGS);
    assert.equal(insert_vm_struct(m.mm, stack), 0);
    assert.equal(run(put_user_u32(STACK_TOP - 3 * PAGE, 5)), 0);
    assert.equal(stack.vm_start, STACK_TOP - 3 * PAGE);
    run(vm_mmap(null, BASE, PAGE, RW, ANON, 0));
    assert.equal(run(put_user_u32(BASE, 1)), 0);
    const child = makeTask(101);
    child.mm = run(dup_mm(child, m.mm));
    set_current(child);
    assert.equal(run(put_user_u32(BASE, 2)), 0);
    assert.notEqual(ptep_get(pte_offset(child.mm!, BASE)) >>> 10, ptep_get(pte_offset(m.mm, BASE)) >>> 10);
    set_current(m.t);
    assert.equal(run(get_user_u32(BASE)), 1);
  });

  it('access_remote_vm writes into another mm (exec\'s argument copy) without growing its stack', function () {
    const m = machine();
    const mm = mm_alloc()!;
    const stack = new vm_area_struct(mm, STACK_TOP - PAGE, STACK_TOP, VM_STACK_FLAGS);
    assert.equal(insert_vm_struct(mm, stack), 0);
    const arg = new TextEncoder().encode('argv0\0');
    assert.equal(run(access_remote_vm(mm, STACK_TOP - 8, arg, true)), 6);
    assert.equal(run(access_remote_vm(mm, STACK_TOP - PAGE - 8, arg, true)), 0, 'no stack growth for a remote access');
    const back = new Uint8Array(6);
    assert.equal(run(access_remote_vm(mm, STACK_TOP - 8, back, false)), 6);
    assert.deepEqual(back, arg);
    assert.equal(m.mm.rss_stat[1], 0, 'the current mm was not touched');
  });
});
