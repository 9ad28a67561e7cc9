/**
 * Why `Hart.run` stopped: the RISC-V `scause` exception codes a user-mode hart can raise
 * (privileged specification, table "Supervisor cause register values"), plus the two stops
 * that are not traps. The kernel dispatches on these the way Linux's `handle_exception` does.
 */
/** Only when a kernel-set pc is odd: jumps and branches cannot make one. */
export const CAUSE_MISALIGNED_FETCH = 0;
export const CAUSE_ILLEGAL_INSTRUCTION = 2;
export const CAUSE_BREAKPOINT = 3;
/** Only LR/SC/AMOs: ordinary misaligned loads and stores just work, as Linux makes them. */
export const CAUSE_MISALIGNED_LOAD = 4;
export const CAUSE_MISALIGNED_STORE = 6;
export const CAUSE_USER_ECALL = 8;
export const CAUSE_FETCH_PAGE_FAULT = 12;
export const CAUSE_LOAD_PAGE_FAULT = 13;
export const CAUSE_STORE_PAGE_FAULT = 15;

/** `run` retired its whole instruction budget without a trap. */
export const STOP_BUDGET = -1;
/** `run` stopped before an instruction the debugger's breakpoint hook asked for (hart.ts). */
export const STOP_BREAKPOINT = -2;
