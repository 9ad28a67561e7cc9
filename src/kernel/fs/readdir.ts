/**
 * Reading directories (fs/readdir.c): getdents64 fills the caller's buffer with
 * `struct linux_dirent64` records — d_ino (u64), d_off (s64: the position after this entry),
 * d_reclen (u16), d_type (u8), then the NUL-terminated name, each record padded to 8 bytes.
 */
import { EBADF, EINVAL, ENOTDIR } from '../errno';
import { kfunc, klocals, type KGen } from '../kfunc';
import { fget, fput } from './file';
import type { dir_context, file } from './fs_types';

/** offsetof(struct linux_dirent64, d_name). */
const DIRENT64_NAME = 19;

/** iterate_dir: the directory's entries from f_pos on, handed to ctx.actor; f_pos moves past them. */
export function iterate_dir(f: file, ctx: dir_context): number {
  const iterate = f.f_op.iterate_shared;
  if (iterate === undefined) return -ENOTDIR;
  ctx.pos = f.f_pos;
  const r = iterate(f, ctx);
  f.f_pos = ctx.pos;
  return r;
}

/** getdents64's records for up to `count` bytes; EINVAL if not even one entry fits. */
export const ksys_getdents64 = kfunc('fs/readdir.c', function* ksys_getdents64(fd: number, count: number): KGen<Uint8Array | number> {
  klocals({ fd, count });
  yield* [];
  const f = fget(fd);
  if (f === null) return -EBADF;
  const records: Uint8Array[] = [];
  let used = 0;
  let error = 0;
  const ctx: dir_context = {
    pos: 0,
    actor(name: string, ino: number, type: number): boolean {
      const bytes = Buffer.from(name, 'latin1');
      const reclen = (DIRENT64_NAME + bytes.length + 1 + 7) & ~7;
      if (reclen > count - used) {
        if (used === 0) error = -EINVAL;
        return false;
      }
      const rec = new Uint8Array(reclen);
      const v = new DataView(rec.buffer);
      v.setBigUint64(0, BigInt(ino), true);
      v.setBigInt64(8, BigInt(ctx.pos + 1), true);
      v.setUint16(16, reclen, true);
      rec[18] = type;
      rec.set(bytes, DIRENT64_NAME);
      records.push(rec);
      used += reclen;
      return true;
    },
  };
  const r = iterate_dir(f, ctx);
  fput(f);
  if (r < 0) return r;
  if (error < 0) return error;
  return Buffer.concat(records);
});
