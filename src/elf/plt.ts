import { ByteReader } from './bytes';
import { SHT_DYNSYM, SHT_RELA, STB_GLOBAL, STB_LOCAL } from './constants';
import { ElfError } from './error';
import type { ElfFile } from './parse';

/** The relocation type of a .rela.plt entry that ld.so resolves through a PLT stub. */
const R_RISCV_JUMP_SLOT = 5;
/** The RISC-V psABI's PLT: a 32-byte header, then one 16-byte stub per .rela.plt entry. */
const PLT_HEADER_SIZE = 32;
export const PLT_ENTRY_SIZE = 16;
const ELF64_RELA_SIZE = 24;

/** A PLT stub named the way objdump names it: `puts@plt`. */
export interface PltStub {
  readonly name: string;
  readonly value: number;
  /** Type and binding of the dynamic symbol it calls (what objdump ranks it by). */
  readonly type: number;
  readonly bind: number;
}

/**
 * The stubs of .plt, which no symbol table names: in a dynamically linked program every call
 * into a shared library goes through one, so a backtrace or a disassembly needs them named.
 * The n-th .rela.plt relocation belongs to the n-th stub, and names the .dynsym symbol.
 */
export function pltStubs(elf: ElfFile): PltStub[] {
  const plt = elf.sections.find((s) => s.name === '.plt');
  const rela = elf.sections.find((s) => s.name === '.rela.plt' && s.sh_type === SHT_RELA);
  if (plt === undefined || rela === undefined) return [];
  if (rela.sh_entsize !== ELF64_RELA_SIZE || rela.sh_size % ELF64_RELA_SIZE !== 0) {
    throw new ElfError(`.rela.plt (section ${rela.index}) does not hold whole ${ELF64_RELA_SIZE}-byte relocations`);
  }
  if (elf.sections[rela.sh_link]?.sh_type !== SHT_DYNSYM) {
    throw new ElfError(`.rela.plt (section ${rela.index}) links to section ${rela.sh_link}, which is not .dynsym`);
  }
  const dynsym = elf.dynsym;
  const r = new ByteReader(elf.sectionData(rela));
  const stubs: PltStub[] = [];
  for (let i = 0; i < r.length / ELF64_RELA_SIZE; i++) {
    // r_info: the relocation type in its low 32 bits, the symbol index in its high 32.
    const type = r.u32(i * ELF64_RELA_SIZE + 8);
    const symbol = r.u32(i * ELF64_RELA_SIZE + 12);
    if (type !== R_RISCV_JUMP_SLOT || symbol === 0) continue;
    const target = dynsym[symbol];
    if (target === undefined) {
      throw new ElfError(`relocation ${i} in .rela.plt names symbol ${symbol}, but .dynsym has ${dynsym.length}`);
    }
    stubs.push({
      name: `${target.name}@plt`,
      value: plt.sh_addr + PLT_HEADER_SIZE + i * PLT_ENTRY_SIZE,
      type: target.type,
      bind: target.bind === STB_LOCAL ? STB_LOCAL : STB_GLOBAL,
    });
  }
  return stubs;
}
