/**
 * The emulated kernel's own sources, listed as loaded sources so a student can open the file a
 * kernel frame names (when the adapter runs from a checkout that has them).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SOURCE_ROOT } from '../debugger/source_root';

let cache: string[] | undefined;

export function kernelSources(): string[] {
  if (cache === undefined) {
    const dir = SOURCE_ROOT === undefined ? undefined : join(SOURCE_ROOT, 'src', 'kernel');
    try {
      cache = dir === undefined ? [] : readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts')).sort().map((f) => join(dir, f));
    } catch {
      cache = [];
    }
  }
  return cache;
}
