/**
 * The `forkscope` command. `forkscope run …` runs a program on the emulated machine
 * (cli/args.ts documents the options); `forkscope --help` and `--version` say what it is.
 */
import pkg from '../../package.json';
import { parseRunArgs, USAGE, UsageError } from './args';
import { run } from './run';

function main(argv: string[]): number {
  const [cmd, ...rest] = argv;
  if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
    process.stdout.write(USAGE);
    return cmd === undefined ? 2 : 0;
  }
  if (cmd === '--version') {
    process.stdout.write(`forkscope ${pkg.version}\n`);
    return 0;
  }
  if (cmd !== 'run') {
    process.stderr.write(`forkscope: unknown command '${cmd}'\n${USAGE}`);
    return 2;
  }
  try {
    return run(parseRunArgs(rest, process.cwd()));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`forkscope: ${e.message}\n${USAGE}`);
      return 2;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
