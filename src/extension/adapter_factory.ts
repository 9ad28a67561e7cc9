/**
 * Runs the debug adapter inside the extension host (no extra process): the same session class
 * that `dist/adapter.js` serves over stdio for tests and other editors. A session whose program
 * uses the integrated terminal gets `dist/adapter.js` as a process instead: a guest waiting for
 * the terminal's input blocks its adapter, which must not be the extension host.
 */
import * as vscode from 'vscode';
import { ForkscopeSession } from '../adapter/session';

export class InlineAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly extensionUri: vscode.Uri) {}

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    if (session.configuration.console === 'integratedTerminal') {
      const script = vscode.Uri.joinPath(this.extensionUri, 'dist', 'adapter.js').fsPath;
      return new vscode.DebugAdapterExecutable(process.execPath, [script], { env: { ELECTRON_RUN_AS_NODE: '1' } });
    }
    return new vscode.DebugAdapterInlineImplementation(new ForkscopeSession());
  }
}
