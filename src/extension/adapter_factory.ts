/**
 * Runs the debug adapter inside the extension host (no extra process): the same session class
 * that `dist/adapter.js` serves over stdio for tests and other editors.
 */
import * as vscode from 'vscode';
import { ForkscopeSession } from '../adapter/session';

export class InlineAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  createDebugAdapterDescriptor(): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    return new vscode.DebugAdapterInlineImplementation(new ForkscopeSession());
  }
}
