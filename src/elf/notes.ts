/**
 * What names a stripped file's separate debug file: the GNU build ID note and the
 * `.gnu_debuglink` section, read as gdb reads them ("Debugging Information in Separate Files"
 * in gdb's manual).
 */
import { ByteReader } from './bytes';
import { SHT_NOBITS, SHT_NOTE } from './constants';
import type { ElfFile } from './parse';
import type { DebugLink } from './types';

/** The note type of a build ID (elf.h's NT_GNU_BUILD_ID), owned by "GNU". */
const NT_GNU_BUILD_ID = 3;

/**
 * The build ID as lowercase hex: the descriptor of the NT_GNU_BUILD_ID note in any SHT_NOTE
 * section (`ld --build-id` puts it in `.note.gnu.build-id`); undefined without one. Notes are
 * namesz, descsz, type, then the name and the descriptor, each padded to 4 bytes.
 */
export function buildId(elf: ElfFile): string | undefined {
  for (const sh of elf.sections) {
    if (sh.sh_type !== SHT_NOTE) continue;
    const r = new ByteReader(elf.sectionData(sh));
    for (let at = 0; at + 12 <= r.length;) {
      const namesz = r.u32(at), descsz = r.u32(at + 4), type = r.u32(at + 8);
      const name = at + 12, desc = name + align4(namesz), next = desc + align4(descsz);
      if (next > r.length) break;
      if (type === NT_GNU_BUILD_ID && namesz === 4 && r.u32(name) === 0x00554e47 /* "GNU\0" */ && descsz > 0) {
        return Array.from(r.bytes.subarray(desc, desc + descsz), (b) => b.toString(16).padStart(2, '0')).join('');
      }
      at = next;
    }
  }
  return undefined;
}

/**
 * `.gnu_debuglink`: the debug file's name (NUL-terminated, padded to 4 bytes) and the CRC-32
 * of that whole file, stored after the name in the file's byte order. Undefined without one.
 */
export function debugLink(elf: ElfFile): DebugLink | undefined {
  const sh = elf.sections.find((s) => s.name === '.gnu_debuglink');
  if (sh === undefined || sh.sh_type === SHT_NOBITS) return undefined;
  const r = new ByteReader(elf.sectionData(sh));
  const nul = r.bytes.indexOf(0);
  if (nul <= 0 || align4(nul + 1) + 4 > r.length) return undefined;
  return { name: new TextDecoder().decode(r.bytes.subarray(0, nul)), crc: r.u32(align4(nul + 1)) };
}

/** `n` rounded up to a multiple of 4 (arithmetic, not bitwise: note sizes may exceed 2^31). */
function align4(n: number): number {
  return Math.ceil(n / 4) * 4;
}

let crcTable: Uint32Array | undefined;

/**
 * The CRC gdb checks a debuglink's file against (gnu_debuglink_crc32): the ISO 3309 CRC-32 of
 * zlib and PNG (reflected polynomial 0xedb88320). Computed here: Node's zlib.crc32 is newer
 * than the Node in VS Code 1.90's extension host.
 */
export function gnuDebuglinkCrc(bytes: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c;
  });
  let crc = 0xffffffff;
  for (const b of bytes) crc = crcTable[(crc ^ b) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
