/**
 * Launch configurations: the initial one for a new launch.json, and F5 without a launch.json —
 * on a C, C++ or assembly file whose ELF sits beside it (or in a `bin/` folder beside it), or on
 * an ELF file itself.
 */
import * as vscode from 'vscode';
import { findProgram } from './program_finder';

export class ForkscopeConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(folder: vscode.WorkspaceFolder | undefined): vscode.ProviderResult<vscode.DebugConfiguration[]> {
    const program = this.activeProgram();
    return [{
      type: 'forkscope', request: 'launch', name: 'Forkscope: debug the program',
      program: program === undefined || folder === undefined ? '${workspaceFolder}/a.out' : program, stopOnEntry: false,
    }];
  }

  resolveDebugConfiguration(folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): vscode.ProviderResult<vscode.DebugConfiguration> {
    if (config.type === undefined && config.request === undefined && config.name === undefined) {
      // F5 with no launch.json: debug what the editor shows.
      const program = this.activeProgram();
      if (program === undefined) {
        void vscode.window.showErrorMessage('Forkscope: open a C file whose compiled RISC-V program is beside it, or the program itself, then press F5.');
        return undefined;
      }
      config = { type: 'forkscope', request: 'launch', name: 'Forkscope', program, stopOnEntry: false };
    }
    // Relative paths in the configuration start at the workspace folder.
    const base = folder?.uri.fsPath ?? (typeof config.program === 'string' ? vscode.Uri.file(config.program).fsPath.replace(/[/\\][^/\\]*$/, '') : undefined);
    return { ...config, __base: base };
  }

  private activeProgram(): string | undefined {
    const doc = vscode.window.activeTextEditor?.document;
    return doc === undefined || doc.uri.scheme !== 'file' ? undefined : findProgram(doc.uri.fsPath);
  }
}
