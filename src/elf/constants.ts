/**
 * Numbers from the ELF specification (System V gABI), the GNU extensions glibc binaries carry,
 * and the RISC-V psABI. Only values Forkscope reads or prints are listed; anything else a file
 * contains is kept as a plain number by the parser.
 */

// e_ident
export const ELF_MAGIC = [0x7f, 0x45, 0x4c, 0x46] as const; // "\x7fELF"
export const EI_CLASS = 4;
export const EI_DATA = 5;
export const EI_VERSION = 6;
export const EI_OSABI = 7;
export const EI_ABIVERSION = 8;
export const EI_NIDENT = 16;
export const ELFCLASS32 = 1;
export const ELFCLASS64 = 2;
export const ELFDATA2LSB = 1;
export const ELFDATA2MSB = 2;
export const EV_CURRENT = 1;

/** Sizes of the ELF64 structures. */
export const ELF64_EHDR_SIZE = 64;
export const ELF64_PHDR_SIZE = 56;
export const ELF64_SHDR_SIZE = 64;
export const ELF64_SYM_SIZE = 24;
export const ELF64_DYN_SIZE = 16;

// e_type
export const ET_NONE = 0;
export const ET_REL = 1;
export const ET_EXEC = 2;
export const ET_DYN = 3;
export const ET_CORE = 4;

// e_machine (the ones worth naming in an error message)
export const EM_386 = 3;
export const EM_ARM = 40;
export const EM_X86_64 = 62;
export const EM_AARCH64 = 183;
export const EM_RISCV = 243;

// e_flags for EM_RISCV
export const EF_RISCV_RVC = 0x1;
export const EF_RISCV_FLOAT_ABI_MASK = 0x6;
export const EF_RISCV_FLOAT_ABI_SOFT = 0x0;
export const EF_RISCV_FLOAT_ABI_SINGLE = 0x2;
export const EF_RISCV_FLOAT_ABI_DOUBLE = 0x4;
export const EF_RISCV_FLOAT_ABI_QUAD = 0x6;
export const EF_RISCV_RVE = 0x8;
export const EF_RISCV_TSO = 0x10;

/** e_phnum value meaning "the real count is in section 0's sh_info". */
export const PN_XNUM = 0xffff;

// p_type
export const PT_NULL = 0;
export const PT_LOAD = 1;
export const PT_DYNAMIC = 2;
export const PT_INTERP = 3;
export const PT_NOTE = 4;
export const PT_SHLIB = 5;
export const PT_PHDR = 6;
export const PT_TLS = 7;
export const PT_GNU_EH_FRAME = 0x6474e550;
export const PT_GNU_STACK = 0x6474e551;
export const PT_GNU_RELRO = 0x6474e552;
export const PT_GNU_PROPERTY = 0x6474e553;
export const PT_RISCV_ATTRIBUTES = 0x70000003;

// p_flags
export const PF_X = 0x1;
export const PF_W = 0x2;
export const PF_R = 0x4;

// Special section indexes
export const SHN_UNDEF = 0;
export const SHN_LORESERVE = 0xff00;
export const SHN_ABS = 0xfff1;
export const SHN_COMMON = 0xfff2;
export const SHN_XINDEX = 0xffff;

// sh_type
export const SHT_NULL = 0;
export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_HASH = 5;
export const SHT_DYNAMIC = 6;
export const SHT_NOTE = 7;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHT_DYNSYM = 11;
export const SHT_INIT_ARRAY = 14;
export const SHT_FINI_ARRAY = 15;
export const SHT_PREINIT_ARRAY = 16;
export const SHT_GROUP = 17;
export const SHT_SYMTAB_SHNDX = 18;
export const SHT_GNU_HASH = 0x6ffffff6;
export const SHT_GNU_VERDEF = 0x6ffffffd;
export const SHT_GNU_VERNEED = 0x6ffffffe;
export const SHT_GNU_VERSYM = 0x6fffffff;
export const SHT_RISCV_ATTRIBUTES = 0x70000003;

// sh_flags
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const SHF_MERGE = 0x10;
export const SHF_STRINGS = 0x20;
export const SHF_INFO_LINK = 0x40;
export const SHF_LINK_ORDER = 0x80;
export const SHF_GROUP = 0x200;
export const SHF_TLS = 0x400;
export const SHF_COMPRESSED = 0x800;

// Symbol type (low nibble of st_info)
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;
export const STT_COMMON = 5;
export const STT_TLS = 6;
export const STT_GNU_IFUNC = 10;

// Symbol binding (high nibble of st_info)
export const STB_LOCAL = 0;
export const STB_GLOBAL = 1;
export const STB_WEAK = 2;
export const STB_GNU_UNIQUE = 10;

// Symbol visibility (low two bits of st_other)
export const STV_DEFAULT = 0;
export const STV_INTERNAL = 1;
export const STV_HIDDEN = 2;
export const STV_PROTECTED = 3;

// d_tag
export const DT_NULL = 0;
export const DT_NEEDED = 1;
export const DT_PLTRELSZ = 2;
export const DT_PLTGOT = 3;
export const DT_HASH = 4;
export const DT_STRTAB = 5;
export const DT_SYMTAB = 6;
export const DT_RELA = 7;
export const DT_RELASZ = 8;
export const DT_RELAENT = 9;
export const DT_STRSZ = 10;
export const DT_SYMENT = 11;
export const DT_INIT = 12;
export const DT_FINI = 13;
export const DT_SONAME = 14;
export const DT_RPATH = 15;
export const DT_SYMBOLIC = 16;
export const DT_DEBUG = 21;
export const DT_JMPREL = 23;
export const DT_BIND_NOW = 24;
export const DT_INIT_ARRAY = 25;
export const DT_FINI_ARRAY = 26;
export const DT_INIT_ARRAYSZ = 27;
export const DT_FINI_ARRAYSZ = 28;
export const DT_RUNPATH = 29;
export const DT_FLAGS = 30;
export const DT_PREINIT_ARRAY = 32;
export const DT_PREINIT_ARRAYSZ = 33;
export const DT_GNU_HASH = 0x6ffffef5;
export const DT_VERSYM = 0x6ffffff0;
export const DT_RELACOUNT = 0x6ffffff9;
export const DT_FLAGS_1 = 0x6ffffffb;
export const DT_VERNEED = 0x6ffffffe;
export const DT_VERNEEDNUM = 0x6fffffff;

/** The page size Linux uses on RISC-V; segment offsets and addresses must agree modulo it. */
export const ELF_PAGE_SIZE = 4096;
