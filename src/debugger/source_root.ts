/**
 * Where Forkscope's own sources are, so kernel frames and loaded sources can name our files.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { sourceRootFromMap } from './sourcemap';

/**
 * The checkout holding `src/kernel/`, so kernel frames can name their files: found above this
 * file, or — for a bundle built elsewhere — through the sources its source map names.
 */
export const SOURCE_ROOT = ((): string | undefined => {
  for (let d = __dirname; ; d = dirname(d)) {
    if (existsSync(join(d, 'src', 'kernel'))) return d;
    if (dirname(d) === d) break;
  }
  return sourceRootFromMap(__filename);
})();
