/**
 * The VS Code extension: registers the Forkscope debugger. Each feature lives in its own file;
 * this one only wires them up.
 */
import * as vscode from 'vscode';
import { ForkscopeConfigurationProvider } from './configuration_provider';
import { InlineAdapterFactory } from './adapter_factory';

export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider('forkscope', new ForkscopeConfigurationProvider()),
    vscode.debug.registerDebugConfigurationProvider('forkscope', new ForkscopeConfigurationProvider(), vscode.DebugConfigurationProviderTriggerKind.Dynamic),
    vscode.debug.registerDebugAdapterDescriptorFactory('forkscope', new InlineAdapterFactory(context.extensionUri)),
  );
}

export function deactivate(): void {
  // Sessions end with their debug sessions; nothing else to release.
}
