import { ByteReader, hex, tooLargeMessage } from './bytes';
import {
  DT_NEEDED, DT_NULL, DT_RPATH, DT_RUNPATH, DT_SONAME, DT_STRSZ, DT_STRTAB, ELF64_DYN_SIZE, PT_DYNAMIC,
  PT_LOAD,
} from './constants';
import { ElfError } from './error';
import { StringTable } from './strings';
import type { DynamicEntry, ProgramHeader } from './types';

/** Tags whose value is an offset into the dynamic string table. */
const NAMED_TAGS: ReadonlySet<number> = new Set([DT_NEEDED, DT_SONAME, DT_RPATH, DT_RUNPATH]);

/**
 * Reads the PT_DYNAMIC segment, which is what ld.so reads (the .dynamic section header may be
 * stripped). Strings are found the same way ld.so finds them: DT_STRTAB is an address, turned
 * into a file offset through the PT_LOAD segment that maps it.
 */
export function parseDynamic(r: ByteReader, phdrs: readonly ProgramHeader[]): DynamicEntry[] {
  const seg = phdrs.find((ph) => ph.p_type === PT_DYNAMIC);
  if (seg === undefined) return [];
  const raw: { d_tag: number; d_val: number }[] = [];
  // parseElf checked that the segment's p_filesz bytes are in the file; a partial last entry
  // is ignored.
  const count = Math.floor(seg.p_filesz / ELF64_DYN_SIZE);
  for (let i = 0; i < count; i++) {
    const at = seg.p_offset + i * ELF64_DYN_SIZE;
    const d_tag = r.u64(at, tooLargeMessage(`the tag of dynamic entry ${i}`));
    if (d_tag === DT_NULL) break;
    raw.push({ d_tag, d_val: r.u64(at + 8, tooLargeMessage(`the value of dynamic entry ${i}`)) });
  }
  if (!raw.some((e) => NAMED_TAGS.has(e.d_tag))) return raw;

  const strtab = dynamicStrings(r, phdrs, raw);
  return raw.map((e) => (NAMED_TAGS.has(e.d_tag) ? { ...e, name: strtab.get(e.d_val) } : e));
}

function dynamicStrings(
  r: ByteReader, phdrs: readonly ProgramHeader[], entries: readonly { d_tag: number; d_val: number }[],
): StringTable {
  const addr = entries.find((e) => e.d_tag === DT_STRTAB)?.d_val;
  if (addr === undefined) throw new ElfError('the dynamic section names libraries but has no DT_STRTAB');
  const load = phdrs.find((ph) => ph.p_type === PT_LOAD && addr >= ph.p_vaddr && addr - ph.p_vaddr < ph.p_filesz);
  if (load === undefined) {
    throw new ElfError(`the dynamic string table (DT_STRTAB ${hex(addr)}) is not in the file part of any PT_LOAD segment`);
  }
  const offset = load.p_offset + (addr - load.p_vaddr);
  // The table ends at DT_STRSZ or at the end of the segment's file bytes, whichever is first.
  const segmentEnd = load.p_offset + load.p_filesz;
  const size = entries.find((e) => e.d_tag === DT_STRSZ)?.d_val ?? segmentEnd - offset;
  return new StringTable(r.bytes.subarray(offset, Math.min(offset + size, segmentEnd)), 'the dynamic string table');
}
