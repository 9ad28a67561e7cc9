/**
 * Names of the control and status registers, as the privileged and unprivileged specifications
 * assign them (the same set GNU objdump 2.40 prints by name; any other number is printed in hex).
 * User mode can only reach fflags/frm/fcsr and the counters, but a disassembler and a hover
 * should still name whatever CSR an instruction mentions.
 *
 * A few names depend on the version of the privileged specification: 1.10 renamed the
 * bad-address registers to *tval and sptbr to satp, 1.11 added mcountinhibit, 1.12 dropped the
 * user-level trap CSRs of the N extension and added the envcfg/seccfg registers and more PMP
 * entries. ELF files record the version they were built for (Tag_RISCV_priv_spec); Debian's
 * gcc 12 and binutils 2.40 write 1.11, which is the default here. (objdump reads an ELF file
 * without that attribute as 1.12.)
 */

/** Privileged-specification versions that change CSR names, oldest first. */
export type PrivSpec = '1.9.1' | '1.10' | '1.11' | '1.12';

export const DEFAULT_PRIV_SPEC: PrivSpec = '1.11';

const VERSIONS: readonly PrivSpec[] = ['1.9.1', '1.10', '1.11', '1.12'];

/** Version indexes for the ranges below: a name is valid in versions [since, until). */
const V191 = 0, V110 = 1, V111 = 2, V112 = 3, NEVER = 4;

interface Named { readonly n: string; readonly since: number; readonly until: number }

const NAMES = new Map<number, Named[]>();

function name(csr: number, n: string, since = V191, until = NEVER): void {
  const list = NAMES.get(csr) ?? [];
  list.push({ n, since, until });
  NAMES.set(csr, list);
}

/** A family of numbered CSRs: base + i is `${prefix}${i}${suffix}` for i in [from, to]. */
function family(base: number, prefix: string, from: number, to: number, suffix = '', since = V191, until = NEVER): void {
  for (let i = from; i <= to; i++) name(base + i, `${prefix}${i}${suffix}`, since, until);
}

/** Several consecutive CSRs starting at `first`; null leaves a number unnamed. */
function run(first: number, names: readonly (string | null)[], since = V191, until = NEVER): void {
  names.forEach((n, i) => { if (n !== null) name(first + i, n, since, until); });
}

// ---- Unprivileged: floating point, vector, entropy source, counters ----
run(0x001, ['fflags', 'frm', 'fcsr']);
run(0x008, ['vstart', 'vxsat', 'vxrm']);
name(0x00f, 'vcsr');
name(0x015, 'seed');
run(0xc00, ['cycle', 'time', 'instret']);
family(0xc00, 'hpmcounter', 3, 31);
run(0xc20, ['vl', 'vtype', 'vlenb']);
run(0xc80, ['cycleh', 'timeh', 'instreth']);
family(0xc80, 'hpmcounter', 3, 31, 'h');

// ---- User-level traps (N extension, gone in 1.12) ----
name(0x000, 'ustatus', V191, V112);
run(0x004, ['uie', 'utvec'], V191, V112);
run(0x040, ['uscratch', 'uepc', 'ucause'], V191, V112);
name(0x043, 'ubadaddr', V191, V110);
name(0x043, 'utval', V110, V112);
name(0x044, 'uip', V191, V112);

// ---- Supervisor ----
name(0x100, 'sstatus');
run(0x102, ['sedeleg', 'sideleg'], V191, V112);
run(0x104, ['sie', 'stvec']);
name(0x106, 'scounteren', V110);
name(0x10a, 'senvcfg', V112);
family(0x10c, 'sstateen', 0, 3);
name(0x114, 'sieh');
run(0x140, ['sscratch', 'sepc', 'scause']);
name(0x143, 'sbadaddr', V191, V110);
name(0x143, 'stval', V110);
name(0x144, 'sip');
name(0x14d, 'stimecmp');
run(0x150, ['siselect', 'sireg']);
name(0x154, 'siph');
run(0x15c, ['stopei', 'stimecmph']);
name(0x180, 'sptbr', V191, V110);
name(0x180, 'satp', V110);
name(0x5a8, 'scontext');
name(0xda0, 'scountovf');
name(0xdb0, 'stopi');

// ---- Virtual supervisor (hypervisor extension) ----
name(0x200, 'vsstatus');
run(0x204, ['vsie', 'vstvec']);
name(0x214, 'vsieh');
run(0x240, ['vsscratch', 'vsepc', 'vscause', 'vstval', 'vsip']);
name(0x24d, 'vstimecmp');
run(0x250, ['vsiselect', 'vsireg']);
name(0x254, 'vsiph');
run(0x25c, ['vstopei', 'vstimecmph']);
name(0x280, 'vsatp');
name(0xeb0, 'vstopi');

// ---- Hypervisor ----
name(0x600, 'hstatus');
run(0x602, ['hedeleg', 'hideleg', 'hie', 'htimedelta', 'hcounteren', 'hgeie', 'hvien', 'hvictl', 'henvcfg']);
family(0x60c, 'hstateen', 0, 3);
name(0x613, 'hidelegh');
name(0x615, 'htimedeltah');
name(0x618, 'hvienh');
name(0x61a, 'henvcfgh');
family(0x61c, 'hstateen', 0, 3, 'h');
run(0x643, ['htval', 'hip', 'hvip', 'hviprio1', 'hviprio2']);
name(0x64a, 'htinst');
run(0x655, ['hviph', 'hviprio1h', 'hviprio2h']);
name(0x680, 'hgatp');
name(0x6a8, 'hcontext');
name(0xe12, 'hgeip');

// ---- Machine ----
run(0x300, ['mstatus', 'misa', 'medeleg', 'mideleg', 'mie', 'mtvec']);
name(0x306, 'mcounteren', V110);
run(0x308, ['mvien', 'mvip']);
name(0x30a, 'menvcfg', V112);
family(0x30c, 'mstateen', 0, 3);
name(0x310, 'mstatush', V112);
run(0x313, ['midelegh', 'mieh']);
run(0x318, ['mvienh', 'mviph']);
name(0x31a, 'menvcfgh', V112);
family(0x31c, 'mstateen', 0, 3, 'h');
run(0x320, ['mucounteren', 'mscounteren', 'mhcounteren'], V191, V110);
name(0x320, 'mcountinhibit', V111);
family(0x320, 'mhpmevent', 3, 31);
family(0x720, 'mhpmevent', 3, 31, 'h');
run(0x340, ['mscratch', 'mepc', 'mcause']);
name(0x343, 'mbadaddr', V191, V110);
name(0x343, 'mtval', V110);
name(0x344, 'mip');
run(0x34a, ['mtinst', 'mtval2'], V112);
run(0x350, ['miselect', 'mireg']);
name(0x354, 'miph');
name(0x35c, 'mtopei');
run(0x380, ['mbase', 'mbound', 'mibase', 'mibound', 'mdbase', 'mdbound'], V191, V110);
family(0x3a0, 'pmpcfg', 0, 3, '', V110);
family(0x3a0, 'pmpcfg', 4, 15, '', V112);
family(0x3b0, 'pmpaddr', 0, 15, '', V110);
family(0x3b0, 'pmpaddr', 16, 63, '', V112);
name(0x747, 'mseccfg', V112);
name(0x757, 'mseccfgh', V112);
name(0xb00, 'mcycle');
name(0xb02, 'minstret');
family(0xb00, 'mhpmcounter', 3, 31);
name(0xb80, 'mcycleh');
name(0xb82, 'minstreth');
family(0xb80, 'mhpmcounter', 3, 31, 'h');
run(0xf11, ['mvendorid', 'marchid', 'mimpid', 'mhartid']);
name(0xf15, 'mconfigptr', V112);
name(0xfb0, 'mtopi');

// ---- Debug and trigger ----
run(0x7a0, ['tselect', 'tdata1', 'tdata2', 'tdata3', 'tinfo', 'tcontrol']);
name(0x7a8, 'mcontext');
name(0x7aa, 'mscontext');
run(0x7b0, ['dcsr', 'dpc', 'dscratch0', 'dscratch1']);

/**
 * The name of CSR `n` (0–4095) under the given privileged-specification version, or its
 * number in hex (`0x7c0`) when it has none there.
 */
export function csrName(n: number, spec: PrivSpec = DEFAULT_PRIV_SPEC): string {
  const v = VERSIONS.indexOf(spec);
  const named = NAMES.get(n)?.find((x) => v >= x.since && v < x.until);
  return named?.n ?? `0x${n.toString(16)}`;
}
