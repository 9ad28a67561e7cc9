// What every benchmark section gets and gives. A later issue adds a section (process creation,
// memory, the debugger) by writing one file that exports a Section and listing it in bench.ts.

export interface BenchContext {
  /** The repository: examples/bin/ and dist/ are found from here. */
  root: string;
  /** node running dist/cli.js. */
  node: string;
  cli: string;
  /** qemu-riscv64, or undefined when it is not installed (sections then say so). */
  qemu: string | undefined;
  /** Runs per measurement; the median is reported. */
  runs: number;
  /** Multiplies the guest workloads (1 = the sizes the sections are designed for). */
  scale: number;
}

/** One line of a section's report: a label, a value, and an optional note saying how it was measured. */
export interface Row {
  label: string;
  value: string;
  note?: string;
}

export interface Section {
  /** Short name for --only. */
  id: string;
  title: string;
  run(context: BenchContext): Row[];
}
