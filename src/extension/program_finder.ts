/**
 * Which program F5 debugs for the file in the editor: the file itself when it is an ELF, else the
 * ELF built from it — `hello` beside `hello.c`, or in a `bin/` folder beside it (how the
 * examples are laid out).
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';

const SOURCE_EXTENSIONS = new Set(['.c', '.h', '.cc', '.cpp', '.cxx', '.s', '.S', '.asm']);

function isElf(path: string): boolean {
  if (!existsSync(path) || !statSync(path).isFile()) return false;
  const fd = openSync(path, 'r');
  try {
    const magic = Buffer.alloc(4);
    return readSync(fd, magic, 0, 4, 0) === 4 && magic.equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]));
  } finally {
    closeSync(fd);
  }
}

export function findProgram(file: string): string | undefined {
  if (isElf(file)) return file;
  const ext = extname(file);
  if (!SOURCE_EXTENSIONS.has(ext)) return undefined;
  const stem = basename(file, ext);
  const dir = dirname(file);
  return [join(dir, stem), join(dir, 'bin', stem), join(dir, 'build', stem)].find(isElf);
}
