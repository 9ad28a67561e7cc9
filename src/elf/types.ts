/**
 * The parsed structures. Field names are the ELF specification's (e_entry, p_vaddr, sh_flags,
 * st_value) so that they read like the Linux code the kernel layer mirrors. All 64-bit fields
 * are exact JS numbers (the reader refuses values of 2^53 and more).
 */

/** The ELF file header, as stored in the file (escape values such as PN_XNUM are not resolved). */
export interface ElfHeader {
  readonly ei_class: number;
  readonly ei_data: number;
  readonly ei_version: number;
  readonly ei_osabi: number;
  readonly ei_abiversion: number;
  readonly e_type: number;
  readonly e_machine: number;
  readonly e_version: number;
  readonly e_entry: number;
  readonly e_phoff: number;
  readonly e_shoff: number;
  readonly e_flags: number;
  readonly e_ehsize: number;
  readonly e_phentsize: number;
  /** As stored: PN_XNUM (0xffff) means the count is in section 0; see ElfFile.programHeaders. */
  readonly e_phnum: number;
  readonly e_shentsize: number;
  /** As stored: 0 with a section table means the count is in section 0's sh_size. */
  readonly e_shnum: number;
  /** As stored: SHN_XINDEX means the index is in section 0's sh_link. */
  readonly e_shstrndx: number;
}

export interface ProgramHeader {
  /** Position in the program header table (readelf's segment number). */
  readonly index: number;
  readonly p_type: number;
  readonly p_flags: number;
  readonly p_offset: number;
  readonly p_vaddr: number;
  readonly p_paddr: number;
  readonly p_filesz: number;
  readonly p_memsz: number;
  readonly p_align: number;
}

export interface SectionHeader {
  readonly index: number;
  /** The name from the section-name string table ("" when the file has none). */
  readonly name: string;
  readonly sh_name: number;
  readonly sh_type: number;
  readonly sh_flags: number;
  readonly sh_addr: number;
  readonly sh_offset: number;
  readonly sh_size: number;
  readonly sh_link: number;
  readonly sh_info: number;
  readonly sh_addralign: number;
  readonly sh_entsize: number;
}

export interface ElfSymbol {
  /** Position in its table (readelf's Num). */
  readonly index: number;
  /** The name without any version suffix (readelf prints `puts@GLIBC_2.27` for .dynsym). */
  readonly name: string;
  readonly st_value: number;
  readonly st_size: number;
  readonly st_info: number;
  readonly st_other: number;
  /** Raw section index, including SHN_ABS, SHN_COMMON and SHN_XINDEX. */
  readonly st_shndx: number;
  /** STT_* (st_info & 0xf). */
  readonly type: number;
  /** STB_* (st_info >> 4). */
  readonly bind: number;
  /** STV_* (st_other & 3). */
  readonly visibility: number;
}

export interface DynamicEntry {
  readonly d_tag: number;
  readonly d_val: number;
  /**
   * For DT_NEEDED, DT_SONAME, DT_RPATH and DT_RUNPATH: the string d_val points at in the
   * dynamic string table.
   */
  readonly name?: string;
}

/** A `.gnu_debuglink` section: the separate debug file's name and its expected CRC-32. */
export interface DebugLink {
  readonly name: string;
  readonly crc: number;
}

/** What `Symbolizer.containing` answers: the symbol an address lies in and how far into it. */
export interface SymbolizedAddress {
  readonly name: string;
  readonly offset: number;
}
