/**
 * POSIX path helpers for the file names in line tables. The guest is Linux, so paths are
 * always '/'-separated whatever the host; we normalize them ourselves instead of using
 * `node:path` so the meaning does not change on a Windows host.
 */

/** `name` resolved against `dir` (unless it is already absolute), then normalized. */
export function joinPath(dir: string | undefined, name: string): string {
  if (name.startsWith('/') || !dir) return normalizePath(name);
  return normalizePath(`${dir}/${name}`);
}

/** Removes empty and `.` components and folds `x/..`, keeping a leading `/` and leading `..`s. */
export function normalizePath(path: string): string {
  const absolute = path.startsWith('/');
  const out: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length > 0 && out[out.length - 1] !== '..') out.pop();
    else if (part !== '..' || !absolute) out.push(part);
  }
  const joined = out.join('/');
  return absolute ? `/${joined}` : joined || '.';
}

/**
 * Whether a source path from the debug info is the file a user asked about. Exact matches win;
 * otherwise a query is taken as a trailing part of the path on a '/' boundary (`a.c`,
 * `src/a.c`), and an absolute query matches a path that is a trailing part of it (a program
 * compiled in another directory than the one the editor opened).
 */
export function pathMatches(path: string, query: string): boolean {
  const p = normalizePath(path);
  const q = normalizePath(query);
  if (p === q) return true;
  if (p.endsWith(`/${q}`)) return true;
  return q.startsWith('/') && !p.startsWith('/') && q.endsWith(`/${p}`);
}
