// Builds the guest programs in examples/*.c into examples/bin/ with Debian's riscv64 cross
// compiler, reproducibly: the same sources and toolchain give byte-identical ELFs on any machine
// and in any checkout folder, so the ELFs can be committed and checked.
//
//   npm run build:guests               build into examples/bin/
//   npm run build:guests -- --check    build into a temporary folder and fail, naming the
//                                      files, when a committed file in examples/bin/ differs
//
// Reproducible means: source paths recorded relative to the repository (-ffile-prefix-map), no
// build ID (-Wl,--build-id=none), and nothing else that varies (gcc and ld embed no timestamps).
// Debug information is kept: the debugger needs the DWARF.
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = dirname(dirname(fileURLToPath(import.meta.url)));
const examples = join(root, 'examples');
const committed = join(examples, 'bin');
const CC = 'riscv64-linux-gnu-gcc';

// Flags every guest gets. -O0 keeps every variable and line steppable; -pthread because several
// examples use threads and it costs the others nothing.
const common = ['-g', '-Wall', `-ffile-prefix-map=${root}=.`, '-Wl,--build-id=none', '-pthread'];

/** The builds: one static -O0 program per example, bench optimised, and a dynamic hello. */
function targets() {
  const sources = readdirSync(examples).filter((f) => f.endsWith('.c')).sort();
  const list = sources.map((file) => {
    const name = file.slice(0, -2);
    // bench measures the emulator's speed on compiled code as it is usually shipped: -O2.
    const optimisation = name === 'bench' ? '-O2' : '-O0';
    return { name, source: `examples/${file}`, flags: ['-static', optimisation] };
  });
  // The same hello, linked against the shared C library: a PIE with PT_INTERP, loaded by ld.so.
  list.push({ name: 'hello-dyn', source: 'examples/hello.c', flags: ['-O0'] });
  return list;
}

/**
 * Files the examples read or execute besides the programs, as name → [mode, contents].
 * exec-chain runs exec-chain-script through the kernel's `#!` handler; the interpreter path is
 * relative, so it resolves against the current directory under forkscope, qemu and Linux alike.
 */
const dataFiles = {
  'exec-chain-script': [0o755,
    '#!./exec-chain interpreted\n' +
    '# exec-chain execs this file. The kernel reads only the first line (binfmt_script)\n' +
    '# and runs ./exec-chain with "interpreted" and this file\'s path as arguments.\n'],
  'exec-chain-bad': [0o755,
    'This file is executable, but it is neither an ELF program nor a #! script:\n' +
    'execve(2) fails on it with ENOEXEC.\n'],
};

/** The toolchain's versions, written next to the ELFs: when --check fails, compare these first. */
async function toolchainDescription() {
  const firstLine = async (cmd, args) => {
    try {
      return (await run(cmd, args)).stdout.split('\n')[0];
    } catch {
      return `${cmd}: not available`;
    }
  };
  const lines = [
    await firstLine(CC, ['--version']),
    await firstLine('riscv64-linux-gnu-ld', ['--version']),
    // The static C library is linked into every program; Debian's package version names it.
    'libc6-dev-riscv64-cross ' +
      await firstLine('dpkg-query', ['-W', '-f', '${Version}', 'libc6-dev-riscv64-cross']),
  ];
  return '# The toolchain that built these files (scripts/build-guests.mjs).\n' + lines.join('\n') + '\n';
}

/** Build every target into `outDir`, two compilers at a time (the machines have 2 cores). */
async function buildAll(outDir) {
  const queue = targets();
  const failures = [];
  const worker = async () => {
    for (let t = queue.shift(); t !== undefined; t = queue.shift()) {
      const args = [...common, ...t.flags, '-o', join(outDir, t.name), t.source, '-lm'];
      try {
        const { stderr } = await run(CC, args, { cwd: root });
        if (stderr) process.stderr.write(stderr);
      } catch (err) {
        failures.push(t.name);
        process.stderr.write(err.stderr || `${err.message}\n`);
      }
    }
  };
  await Promise.all([worker(), worker()]);
  for (const [name, [mode, text]] of Object.entries(dataFiles)) {
    writeFileSync(join(outDir, name), text);
    chmodSync(join(outDir, name), mode);
  }
  writeFileSync(join(outDir, 'TOOLCHAIN'), await toolchainDescription());
  if (failures.length > 0) throw new Error(`build failed: ${failures.join(', ')}`);
}

/** Compare a fresh build with the committed files; returns the names of files that differ. */
function compare(freshDir) {
  const fresh = readdirSync(freshDir).sort();
  const differing = fresh.filter((name) => {
    const old = join(committed, name);
    return !existsSync(old) || !readFileSync(old).equals(readFileSync(join(freshDir, name)));
  });
  // A committed file that the build no longer makes is stale.
  const stale = existsSync(committed) ? readdirSync(committed).filter((name) => !fresh.includes(name)) : [];
  return [...differing, ...stale.map((name) => `${name} (no longer built)`)];
}

async function main() {
  const check = process.argv.includes('--check');
  if (!check) {
    mkdirSync(committed, { recursive: true });
    await buildAll(committed);
    console.log(`built ${targets().length} guest programs into examples/bin/`);
    return;
  }
  const freshDir = mkdtempSync(join(tmpdir(), 'forkscope-guests-'));
  try {
    await buildAll(freshDir);
    const differing = compare(freshDir);
    if (differing.length === 0) {
      console.log(`examples/bin/ is up to date (${targets().length} programs rebuilt and compared)`);
      return;
    }
    console.error('examples/bin/ differs from a fresh build of examples/*.c:');
    for (const name of differing) console.error(`  ${name}`);
    console.error('Run `npm run build:guests` and commit examples/bin/ (if TOOLCHAIN differs too, the ' +
      'toolchain changed rather than the sources).');
    process.exitCode = 1;
  } finally {
    rmSync(freshDir, { recursive: true, force: true });
  }
}

await main();
