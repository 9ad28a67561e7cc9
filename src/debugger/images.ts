/**
 * Program images: the ELF files a task's address space maps (the program, and for dynamic
 * programs the dynamic loader and libraries), each with its symbols and DWARF, and where each
 * is loaded in a given mm (a module, in DAP's words).
 *
 * DWARF and symbols speak in link-time addresses; a module adds its load bias. Images are read
 * from the host once and shared by every task that maps them. A stripped image's symbols and
 * DWARF may come from its separate debug file (debug_file.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { Dwarf, type MemoryReader } from '../dwarf';
import { ET_DYN, parseElf, PT_LOAD, STT_FUNC, type ElfFile, type ElfSymbol, type Symbolizer } from '../elf';
import type { mm_struct } from '../kernel/mm/mm_types';
import { debugDirectories, debugSection, findDebugFile, type DebugFile } from './debug_file';

export class Image {
  readonly elf: ElfFile;
  private debugCache: DebugFile | null | undefined;
  private dwarfCache: Dwarf | null | undefined;
  private symbolizerCache: Symbolizer | undefined;
  private readonly sources = new Map<string, string>();

  constructor(readonly hostPath: string, readonly guestPath: string, private readonly debugDirs: readonly string[]) {
    this.elf = parseElf(new Uint8Array(readFileSync(hostPath)));
  }

  /** The file name, which names addresses that no symbol covers (`libc.so.6+0x6a2f0`). */
  get name(): string {
    return basename(this.guestPath);
  }

  /** The separate debug file with this image's symbols and DWARF (see debug_file.ts), if any. */
  get debugFile(): DebugFile | undefined {
    if (this.debugCache === undefined) this.debugCache = findDebugFile(this.elf, this.hostPath, this.guestPath, this.debugDirs) ?? null;
    return this.debugCache ?? undefined;
  }

  /**
   * The debug information (null when neither file has `.debug_info` or `.eh_frame`). A section
   * comes from the debug file when it holds bytes there: `.eh_frame` is allocated, so
   * `objcopy --only-keep-debug` leaves only its header (SHT_NOBITS) and the image's own is read.
   */
  get dwarf(): Dwarf | null {
    if (this.dwarfCache === undefined) {
      const elf = this.elf, debug = this.debugFile?.elf;
      const section = (n: string) => (debug === undefined ? undefined : debugSection(debug, n)) ?? debugSection(elf, n);
      const has = section('.debug_info') !== undefined || section('.eh_frame') !== undefined;
      this.dwarfCache = has ? Dwarf.load(section, (n) => elf.sections.find((s) => s.name === n)?.sh_addr) : null;
    }
    return this.dwarfCache;
  }

  /** The file whose symbol table names this image's addresses: the debug file's `.symtab` if it has one. */
  private get symbolFile(): ElfFile {
    const debug = this.debugFile?.elf;
    return debug !== undefined && debug.symtab.length > 0 ? debug : this.elf;
  }

  /** Functions and variables by name (see ElfFile.symbols), from the debug file when there is one. */
  get symbols(): readonly ElfSymbol[] {
    return this.symbolFile.symbols();
  }

  /** Address lookups in link-time addresses (see Symbolizer.containing and endBefore). */
  get symbolizer(): Symbolizer {
    this.symbolizerCache ??= this.elf.symbolizer(this.symbolFile);
    return this.symbolizerCache;
  }

  /** Whether the image is position independent (loaded at a bias chosen at exec). */
  get relocatable(): boolean {
    return this.elf.header.e_type === ET_DYN;
  }

  /** The link-time address of the first loadable segment's page. */
  get firstSegmentPage(): number {
    const load = this.elf.programHeaders.find((p) => p.p_type === PT_LOAD);
    return load === undefined ? 0 : load.p_vaddr - (load.p_vaddr % 4096);
  }

  /**
   * The host file of a source path from the DWARF. Reproducible builds record paths relative to
   * the build directory (`examples/cow.c` with comp_dir `.`); such a path is looked for beside
   * the ELF and in the directories above it, where the build most likely ran.
   */
  sourcePath(path: string): string {
    let found = this.sources.get(path);
    if (found === undefined) {
      found = path;
      if (!isAbsolute(path) || !existsSync(path)) {
        // The compiler recorded the path from where it ran (`examples/cow.c`); the sources may
        // since have moved with the program (a copied `examples/` folder): look in the folders
        // above the ELF for the whole path, then for it with leading folders dropped.
        const parts = path.replace(/^\/+/, '').split('/');
        search: for (let drop = 0; drop < parts.length; drop++) {
          const rel = parts.slice(drop).join('/');
          for (let d = dirname(this.hostPath), i = 0; i < 6; d = dirname(d), i++) {
            const candidate = resolve(d, rel);
            if (existsSync(candidate)) {
              found = candidate;
              break search;
            }
            if (dirname(d) === d) break;
          }
        }
      }
      this.sources.set(path, found);
    }
    return found;
  }

  /** The address of a symbol by name (link-time), for function breakpoints. */
  symbolAddresses(name: string): number[] {
    return this.symbols.filter((s) => s.name === name && s.type === STT_FUNC && s.st_value !== 0).map((s) => s.st_value);
  }

  /** The file's loaded bytes at link-time address `addr` (a MemoryReader of the image as mapped, before relocation). */
  readonly code: MemoryReader = (addr, len) => {
    const a = Number(addr);
    const seg = this.elf.programHeaders.find((p) => p.p_type === PT_LOAD && a >= p.p_vaddr && a + len <= p.p_vaddr + p.p_filesz);
    if (seg === undefined) return undefined;
    const off = seg.p_offset + (a - seg.p_vaddr);
    return this.elf.bytes.subarray(off, off + len);
  };
}

/** An image as loaded in one address space. */
export interface Module {
  readonly image: Image;
  /** Added to link-time addresses to get run-time addresses. */
  readonly bias: number;
  readonly start: number;
  readonly end: number;
}

/** Finds and caches images; maps guest paths to host files through the root and sysroot. */
export class ImageStore {
  private readonly byHost = new Map<string, Image | null>();
  private readonly debugDirs: readonly string[];

  constructor(private readonly root: string, private readonly sysroot: string | undefined) {
    this.debugDirs = debugDirectories(root, sysroot);
  }

  /** The host file behind guest path `guest`, as the kernel's sandboxed root resolves it. */
  hostPath(guest: string): string | undefined {
    const inRoot = join(this.root, guest);
    if (existsSync(inRoot)) return inRoot;
    if (this.sysroot !== undefined && existsSync(join(this.sysroot, guest))) return join(this.sysroot, guest);
    return undefined;
  }

  /** The image of guest path `guest`, or null when it is not a readable ELF file. */
  image(guest: string): Image | null {
    const host = this.hostPath(guest);
    if (host === undefined) return null;
    let img = this.byHost.get(host);
    if (img === undefined) {
      try {
        img = new Image(host, guest, this.debugDirs);
      } catch {
        img = null;
      }
      this.byHost.set(host, img);
    }
    return img;
  }

  /** Every image loaded so far. */
  get loaded(): Image[] {
    return [...this.byHost.values()].filter((i): i is Image => i !== null);
  }

  /** The ELF images `mm` maps, with their biases, in address order. */
  modules(mm: mm_struct): Module[] {
    const out: Module[] = [];
    const seen = new Map<string, { start: number; end: number; first: number; pgoff: number }>();
    for (const vma of mm.mmap) {
      const f = vma.vm_file;
      if (f === null) continue;
      const s = seen.get(f.path);
      if (s === undefined) seen.set(f.path, { start: vma.vm_start, end: vma.vm_end, first: vma.vm_start, pgoff: vma.vm_pgoff });
      else s.end = Math.max(s.end, vma.vm_end);
    }
    for (const [path, s] of seen) {
      const image = this.image(path);
      if (image === null) continue;
      // The lowest mapping holds the first PT_LOAD (file offset 0 for both our toolchains).
      const bias = image.relocatable ? s.first - s.pgoff * 4096 - image.firstSegmentPage : 0;
      out.push({ image, bias, start: s.start, end: s.end });
    }
    return out;
  }

  /** The module of `mm` containing run-time address `pc`. */
  moduleAt(mm: mm_struct, pc: number): Module | undefined {
    return this.modules(mm).find((m) => pc >= m.start && pc < m.end);
  }
}
