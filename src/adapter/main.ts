/**
 * `node dist/adapter.js`: the debug adapter as a DAP server on stdin/stdout, for VS Code (the
 * extension's `program`), tests and other editors.
 */
import { DebugSession } from '@vscode/debugadapter';
import { ForkscopeSession } from './session';
DebugSession.run(ForkscopeSession);
