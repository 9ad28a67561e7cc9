/**
 * The memory character devices of drivers/char/mem.c that programs use: /dev/null (reads end at
 * once, writes vanish), /dev/zero (reads give zeros) and /dev/full (reads give zeros, writes fail
 * with ENOSPC). Major 1; the minor numbers are Linux's.
 */
import { ENOSPC } from '../../errno';
import type { KGen } from '../../kfunc';
import type { file_operations, kiocb } from '../../fs/fs_types';
import type { iov_iter } from '../../fs/iov_iter';

export const MEM_MAJOR = 1;
export const NULL_MINOR = 3;
export const ZERO_MINOR = 5;
export const FULL_MINOR = 7;

const ZEROS = new Uint8Array(4096);

/** null_lseek: every seek succeeds and lands at 0. */
function null_lseek(): number {
  return 0;
}

function* read_null(): KGen<number> {
  return 0;
}

/** write_iter_null: takes everything without looking at it. */
function* write_iter_null(_iocb: kiocb, from: iov_iter): KGen<number> {
  return from.count;
}

/** read_iter_zero: zeros until the buffer is full (or a page of it faults). */
export function* read_iter_zero(_iocb: kiocb, to: iov_iter): KGen<number> {
  let total = 0;
  while (to.count > 0) {
    const want = Math.min(to.count, ZEROS.length);
    const n = yield* to.copy_to_iter(ZEROS.subarray(0, want));
    total += n;
    if (n < want) break;
  }
  return total;
}

function* write_full(): KGen<number> {
  return -ENOSPC;
}

export const null_fops: file_operations = { read_iter: read_null, write_iter: write_iter_null, llseek: null_lseek };
export const zero_fops: file_operations = { read_iter: read_iter_zero, write_iter: write_iter_null, llseek: null_lseek };
export const full_fops: file_operations = { read_iter: read_iter_zero, write_iter: write_full, llseek: null_lseek };
