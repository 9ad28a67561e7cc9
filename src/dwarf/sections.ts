/**
 * How the DWARF reader gets its input. It does not read ELF itself (that is `elf/`'s job, and
 * tests use their own tiny reader): the caller passes a function from a section name such as
 * `.debug_info` to the section's bytes, and, where pc-relative `.eh_frame` pointers need it, a
 * function giving a section's load address (`sh_addr`).
 */
export type SectionSource = (name: string) => Uint8Array | undefined;
export type SectionAddress = (name: string) => number | undefined;

/** The sections the reader uses, fetched once. */
export interface DwarfSections {
  readonly info?: Uint8Array;
  readonly abbrev?: Uint8Array;
  readonly str?: Uint8Array;
  readonly lineStr?: Uint8Array;
  readonly strOffsets?: Uint8Array;
  readonly addr?: Uint8Array;
  readonly line?: Uint8Array;
  readonly ranges?: Uint8Array;
  readonly rnglists?: Uint8Array;
  readonly loc?: Uint8Array;
  readonly loclists?: Uint8Array;
  readonly frame?: Uint8Array;
  readonly ehFrame?: Uint8Array;
}

export function collectSections(get: SectionSource): DwarfSections {
  return {
    info: get('.debug_info'),
    abbrev: get('.debug_abbrev'),
    str: get('.debug_str'),
    lineStr: get('.debug_line_str'),
    strOffsets: get('.debug_str_offsets'),
    addr: get('.debug_addr'),
    line: get('.debug_line'),
    ranges: get('.debug_ranges'),
    rnglists: get('.debug_rnglists'),
    loc: get('.debug_loc'),
    loclists: get('.debug_loclists'),
    frame: get('.debug_frame'),
    ehFrame: get('.eh_frame'),
  };
}
