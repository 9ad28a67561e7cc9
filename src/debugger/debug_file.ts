/**
 * Separate debug information, found where gdb looks for it ("Debugging Information in Separate
 * Files" in gdb's manual): distributions strip their libraries and ship the symbols and DWARF
 * in another file with the same addresses, named by the stripped file's build ID or its
 * `.gnu_debuglink`.
 *
 * The debug directories are the guest's own (`<root>/usr/lib/debug`) and the sysroot's, as gdb
 * prefixes its debug-file-directory with the sysroot: never the host's `/usr/lib/debug`, whose
 * files belong to host programs (unless the sysroot is `/`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { gnuDebuglinkCrc, parseElf, SHF_COMPRESSED, SHT_NOBITS, type ElfFile } from '../elf';

export interface DebugFile {
  readonly hostPath: string;
  readonly elf: ElfFile;
}

/** The debug directories of a guest root and sysroot, in the order they are searched. */
export function debugDirectories(root: string, sysroot: string | undefined): string[] {
  const dirs = [join(root, 'usr', 'lib', 'debug')];
  if (sysroot !== undefined && !dirs.includes(join(sysroot, 'usr', 'lib', 'debug'))) dirs.push(join(sysroot, 'usr', 'lib', 'debug'));
  return dirs;
}

/**
 * The separate debug file of `elf` (host file `hostPath`, guest path `guestPath`), or undefined.
 * As gdb does: first `<debug-dir>/.build-id/xx/yyyy….debug` by the build ID (accepted only when
 * its own build ID is the same), then the debuglink's name in the image's folder, in its
 * `.debug` subfolder and under each debug directory at the image's guest folder (accepted only
 * when the file's CRC-32 is the one the link records).
 */
export function findDebugFile(elf: ElfFile, hostPath: string, guestPath: string, debugDirs: readonly string[]): DebugFile | undefined {
  const id = elf.buildId;
  if (id !== undefined && id.length > 2) {
    for (const dir of debugDirs) {
      const found = open(join(dir, '.build-id', id.slice(0, 2), `${id.slice(2)}.debug`), hostPath, (f) => f.buildId === id);
      if (found !== undefined) return found;
    }
  }
  const link = elf.debugLink;
  if (link === undefined) return undefined;
  const candidates = [
    join(dirname(hostPath), link.name),
    join(dirname(hostPath), '.debug', link.name),
    ...debugDirs.map((dir) => join(dir, dirname(guestPath), link.name)),
  ];
  for (const path of candidates) {
    const found = open(path, hostPath, (_, bytes) => gnuDebuglinkCrc(bytes) === link.crc);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The RISC-V ELF file at `path` when it exists, is not the image itself and `matches`. */
function open(path: string, image: string, matches: (f: ElfFile, bytes: Uint8Array) => boolean): DebugFile | undefined {
  if (path === image || !existsSync(path)) return undefined;
  try {
    const bytes = new Uint8Array(readFileSync(path));
    const elf = parseElf(bytes);
    return matches(elf, bytes) ? { hostPath: path, elf } : undefined;
  } catch {
    // Not a readable ELF file for RISC-V: gdb, too, passes over such a file.
    return undefined;
  }
}

/** The gABI's ELFCOMPRESS_ZLIB, the only compression binutils 2.40 writes by default. */
const ELFCOMPRESS_ZLIB = 1;
/** Elf64_Chdr: ch_type, ch_reserved, ch_size, ch_addralign. */
const ELF64_CHDR_SIZE = 24;

/**
 * The bytes of section `name` of `elf` for the DWARF reader, or undefined when the file has no
 * bytes for it (absent, or SHT_NOBITS as in a debug file for allocated sections). Sections
 * marked SHF_COMPRESSED (`objcopy --compress-debug-sections`, as Debian's debug packages are
 * built) start with an Elf64_Chdr and hold a zlib stream; one compressed any other way is
 * treated as absent.
 */
export function debugSection(elf: ElfFile, name: string): Uint8Array | undefined {
  const sh = elf.sections.find((s) => s.name === name && s.sh_type !== SHT_NOBITS);
  if (sh === undefined) return undefined;
  const bytes = elf.sectionData(sh);
  if ((sh.sh_flags & SHF_COMPRESSED) === 0) return bytes;
  if (bytes.length < ELF64_CHDR_SIZE) return undefined;
  const header = new DataView(bytes.buffer, bytes.byteOffset, ELF64_CHDR_SIZE);
  if (header.getUint32(0, true) !== ELFCOMPRESS_ZLIB) return undefined;
  try {
    return new Uint8Array(inflateSync(bytes.subarray(ELF64_CHDR_SIZE)));
  } catch {
    return undefined;
  }
}
