/**
 * Credentials (kernel/cred.c, kernel/sys.c's set*id calls): who a task acts as.
 *
 * Guests start as root (uid 0), as programs do under a debugger on a lab machine; they may give
 * that up with setuid/setresuid and friends, with Linux's rules for what an unprivileged task may
 * change. Threads share their credentials (CLONE_THREAD), processes get a copy.
 */
import { EFAULT, EINVAL, EPERM } from './errno';
import { current, kfunc, type KGen } from './kfunc';
import { copy_from_user, copy_to_user } from './mm/uaccess';
import type { SyscallEntry } from './syscall';

export class cred {
  uid = 0;
  gid = 0;
  suid = 0;
  sgid = 0;
  euid = 0;
  egid = 0;
  fsuid = 0;
  fsgid = 0;
  groups: number[] = [];

  clone(): cred {
    const c = Object.assign(new cred(), this);
    c.groups = [...this.groups];
    return c;
  }
}

/** NGROUPS_MAX. */
const NGROUPS_MAX = 65536;
/** (uid_t)-1: "leave this one unchanged". */
const KEEP = 0xffffffff;

/** capable(CAP_SETUID/CAP_SETGID…): in Forkscope, privilege is euid 0. */
export function capable(): boolean {
  return current().cred.euid === 0;
}

/** commit_creds: the task's new credentials take effect (shared with its threads). */
function commit(c: cred): void {
  const t = current();
  for (const th of t.signal!.thread_head) th.cred = c;
}

function idArg(x: number): number {
  return x >>> 0;
}

/** setresuid(ruid, euid, suid): each may be -1 (unchanged); unprivileged tasks may only shuffle their own ids. */
function setres(kind: 'uid' | 'gid', r: number, e: number, s: number): number {
  const old = current().cred;
  const [ro, eo, so] = kind === 'uid' ? [old.uid, old.euid, old.suid] : [old.gid, old.egid, old.sgid];
  const allowed = (v: number) => v === KEEP || v === ro || v === eo || v === so;
  if (!capable() && !(allowed(r) && allowed(e) && allowed(s))) return -EPERM;
  const c = old.clone();
  if (kind === 'uid') {
    if (r !== KEEP) c.uid = r;
    if (e !== KEEP) c.euid = e;
    if (s !== KEEP) c.suid = s;
    c.fsuid = c.euid;
  } else {
    if (r !== KEEP) c.gid = r;
    if (e !== KEEP) c.egid = e;
    if (s !== KEEP) c.sgid = s;
    c.fsgid = c.egid;
  }
  commit(c);
  return 0;
}

/** setuid(uid): root sets all three ids; others may only set the effective id to the real or saved one. */
function set_one(kind: 'uid' | 'gid', id: number): number {
  if (id === KEEP) return -EINVAL;
  const old = current().cred;
  if (capable()) return setres(kind, id, id, id);
  const [ro, so] = kind === 'uid' ? [old.uid, old.suid] : [old.gid, old.sgid];
  if (id !== ro && id !== so) return -EPERM;
  return setres(kind, KEEP, id, KEEP);
}

/** setreuid(ruid, euid): Linux's rule — the saved id follows the effective one when either changes the real id. */
function setre(kind: 'uid' | 'gid', r: number, e: number): number {
  const old = current().cred;
  const [ro, eo, so] = kind === 'uid' ? [old.uid, old.euid, old.suid] : [old.gid, old.egid, old.sgid];
  if (!capable()) {
    if (r !== KEEP && r !== ro && r !== eo) return -EPERM;
    if (e !== KEEP && e !== ro && e !== eo && e !== so) return -EPERM;
  }
  const newE = e !== KEEP ? e : eo;
  const newS = r !== KEEP || (e !== KEEP && e !== ro) ? newE : KEEP;
  return setres(kind, r, e, newS);
}

function* getres(kind: 'uid' | 'gid', ra: number, ea: number, sa: number): KGen<number> {
  const c = current().cred;
  const vals = kind === 'uid' ? [c.uid, c.euid, c.suid] : [c.gid, c.egid, c.sgid];
  const addrs = [ra, ea, sa];
  for (let i = 0; i < 3; i++) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, vals[i], true);
    if ((yield* copy_to_user(addrs[i], b)) !== 0) return -EFAULT;
  }
  return 0;
}

function* sys_getgroups(size: number, list: number): KGen<number> {
  const g = current().cred.groups;
  if ((size | 0) < 0) return -EINVAL;
  if (size === 0) return g.length;
  if (size < g.length) return -EINVAL;
  const b = new Uint8Array(g.length * 4);
  g.forEach((x, i) => new DataView(b.buffer).setUint32(i * 4, x, true));
  return (yield* copy_to_user(list, b)) === 0 ? g.length : -EFAULT;
}

function* sys_setgroups(size: number, list: number): KGen<number> {
  if (!capable()) return -EPERM;
  if (size < 0 || size > NGROUPS_MAX) return -EINVAL;
  const b = new Uint8Array(size * 4);
  if ((yield* copy_from_user(b, list)) !== 0) return -EFAULT;
  const c = current().cred.clone();
  c.groups = Array.from({ length: size }, (_, i) => new DataView(b.buffer).getUint32(i * 4, true)).sort((x, y) => x - y);
  commit(c);
  return 0;
}

const k_ = (nr: number, name: string, fn: (...a: number[]) => KGen<number>, args: SyscallEntry['args']): SyscallEntry =>
  ({ nr, name, fn: kfunc('kernel/sys.c', Object.defineProperty(fn, 'name', { value: 'sys_' + name })) as SyscallEntry['fn'], args });

export const cred_syscalls: SyscallEntry[] = [
  k_(143, 'setregid', function* (r, e) { return setre('gid', idArg(r), idArg(e)); }, [['rgid', 'int'], ['egid', 'int']]),
  k_(144, 'setgid', function* (g) { return set_one('gid', idArg(g)); }, [['gid', 'int']]),
  k_(145, 'setreuid', function* (r, e) { return setre('uid', idArg(r), idArg(e)); }, [['ruid', 'int'], ['euid', 'int']]),
  k_(146, 'setuid', function* (u) { return set_one('uid', idArg(u)); }, [['uid', 'int']]),
  k_(147, 'setresuid', function* (r, e, s) { return setres('uid', idArg(r), idArg(e), idArg(s)); }, [['ruid', 'int'], ['euid', 'int'], ['suid', 'int']]),
  k_(148, 'getresuid', (r, e, s) => getres('uid', r, e, s), [['ruid', 'ptr'], ['euid', 'ptr'], ['suid', 'ptr']]),
  k_(149, 'setresgid', function* (r, e, s) { return setres('gid', idArg(r), idArg(e), idArg(s)); }, [['rgid', 'int'], ['egid', 'int'], ['sgid', 'int']]),
  k_(150, 'getresgid', (r, e, s) => getres('gid', r, e, s), [['rgid', 'ptr'], ['egid', 'ptr'], ['sgid', 'ptr']]),
  k_(158, 'getgroups', sys_getgroups, [['gidsetsize', 'int'], ['grouplist', 'ptr']]),
  k_(159, 'setgroups', sys_setgroups, [['gidsetsize', 'int'], ['grouplist', 'ptr']]),
  k_(174, 'getuid', function* () { return current().cred.uid; }, []),
  k_(175, 'geteuid', function* () { return current().cred.euid; }, []),
  k_(176, 'getgid', function* () { return current().cred.gid; }, []),
  k_(177, 'getegid', function* () { return current().cred.egid; }, []),
];
