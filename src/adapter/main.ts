/**
 * `node dist/adapter.js`: the debug adapter as a DAP server on stdin/stdout, for VS Code (the
 * extension's `program`), tests and other editors. With `--terminal <dir>` it is instead the
 * integrated terminal's helper (terminal.ts), which the adapter asks the editor to run.
 */
import { DebugSession } from '@vscode/debugadapter';
import { ForkscopeSession } from './session';
import { runTerminalHelper, terminalHelperDir } from './terminal';

const helperDir = terminalHelperDir(process.argv);
if (helperDir !== undefined) {
  runTerminalHelper(helperDir);
} else {
  ForkscopeSession.script = __filename;
  DebugSession.run(ForkscopeSession);
}
