/**
 * `#!` scripts (fs/binfmt_script.c): a file starting with `#!` names its interpreter and at most
 * one argument. The argument list becomes `interpreter [arg] script-path original-args-after-0`,
 * and exec starts over with the interpreter (exec_binprm loops, at most 5 levels deep).
 */
import type { linux_binprm } from './binfmts';
import { ENOENT, ENOEXEC } from './errno';
import { copy_string_kernel, remove_arg_zero } from './exec';
import { open_exec } from './fs/kernel_read_file';
import { kfunc, klocals, type KGen } from './kfunc';

const BINPRM_BUF_SIZE = 256;

export const load_script = kfunc('fs/binfmt_script.c', function* load_script(bprm: linux_binprm): KGen<number> {
  const buf = bprm.buf;
  if (buf.length < 2 || buf[0] !== 0x23 || buf[1] !== 0x21) return -ENOEXEC;
  // The interpreter line must end within the first 256 bytes (or the buffer is the whole file).
  let end = buf.indexOf(0x0a);
  if (end < 0) {
    if (buf.length >= BINPRM_BUF_SIZE) return -ENOEXEC;
    end = buf.length;
  }
  const line = new TextDecoder().decode(buf.subarray(2, end)).replace(/^[ \t]+/, '').replace(/[ \t]+$/, '');
  if (line.length === 0) return -ENOEXEC;
  const sp = line.search(/[ \t]/);
  const interp = sp < 0 ? line : line.slice(0, sp);
  const arg = sp < 0 ? '' : line.slice(sp).replace(/^[ \t]+/, '');
  klocals({ interp, arg });
  // argv[0] is replaced by the script's path; the interpreter (and its one argument) go first.
  let r = yield* remove_arg_zero(bprm);
  if (r === 0) r = yield* copy_string_kernel(bprm.interp, bprm);
  if (r === 0 && arg !== '') r = yield* copy_string_kernel(arg, bprm);
  if (r === 0) r = yield* copy_string_kernel(interp, bprm);
  if (r < 0) return r;
  bprm.argv = [interp, ...(arg !== '' ? [arg] : []), bprm.interp, ...bprm.argv.slice(1)];
  bprm.argc = bprm.argv.length;
  const f = yield* open_exec(interp);
  if (typeof f === 'number') return f === -ENOENT ? -ENOENT : f;
  bprm.interp = interp;
  bprm.file = f;
  bprm.buf = f.bytes.subarray(0, BINPRM_BUF_SIZE);
  bprm.depth++;
  return 1;
});
