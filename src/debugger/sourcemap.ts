/**
 * Kernel frames record where our kernel code is from JavaScript stack traces (kernel/kfunc.ts).
 * When the kernel runs from a bundle (dist/adapter.js, dist/extension.js), those positions are in
 * the bundle; its source map (written beside it by scripts/build.mjs) leads back to the
 * TypeScript file and line a student can open. Node's own source-map support would do this only
 * if enabled before the bundle was loaded, which an editor's extension host does not do.
 */
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, resolve, sep } from 'node:path';

const maps = new Map<string, SourceMap | null>();

function mapOf(file: string): SourceMap | null {
  let m = maps.get(file);
  if (m === undefined) {
    m = null;
    const path = `${file}.map`;
    if (existsSync(path)) {
      try {
        m = new SourceMap(JSON.parse(readFileSync(path, 'utf8')));
      } catch {
        m = null;
      }
    }
    maps.set(file, m);
  }
  return m;
}

/** The original file and line of generated `file`:`line` (1-based), when a source map says. */
export function originalPosition(file: string, line: number): { file: string; line: number } | undefined {
  const m = mapOf(file);
  if (m === null || line < 1) return undefined;
  // Bundles are not minified: a generated line holds one source line; any column of it will do,
  // and one far right finds the line's last mapping.
  const e = m.findEntry(line - 1, 10_000) as { originalSource?: string; originalLine?: number };
  if (e.originalSource === undefined || e.originalLine === undefined) return undefined;
  const src = e.originalSource.startsWith('file://') ? new URL(e.originalSource).pathname : resolve(dirname(file), e.originalSource);
  return { file: src, line: e.originalLine + 1 };
}

/** The checkout a bundle was built from: the directory above the `src/kernel/` its map names. */
export function sourceRootFromMap(bundle: string): string | undefined {
  const m = mapOf(bundle);
  const kernelFile = (m?.payload as { sources?: string[] } | undefined)?.sources?.find((s) => s.includes('src/kernel/'));
  if (kernelFile === undefined) return undefined;
  const abs = kernelFile.startsWith('file://') ? new URL(kernelFile).pathname : resolve(dirname(bundle), kernelFile);
  const root = abs.slice(0, abs.lastIndexOf(`${sep}src${sep}kernel${sep}`));
  return existsSync(resolve(root, 'src', 'kernel')) ? root : undefined;
}
