// Activation and deactivation only: the work is in server.ts, status.ts, commands.ts, python.ts.
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { createLogChannel, traceInfo } from './logging';
import { initializePython, onDidChangeInterpreter } from './python';
import { ServerManager } from './server';
import { clientSettings } from './settings';
import { classifyChange } from './settingsModel';
import { StatusController } from './status';

let server: ServerManager | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = createLogChannel();
  context.subscriptions.push(log);
  traceInfo(`Pinwise ${context.extension.packageJSON.version} activating (VS Code ${vscode.version})`);

  const status = new StatusController();
  status.setAlwaysVisible(clientSettings().alwaysVisible);
  server = new ServerManager(context, status);
  context.subscriptions.push(status, server);
  registerCommands(context, server, status);
  await initializePython(context.subscriptions);

  const manager = server;
  context.subscriptions.push(
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('pinwise.statusBar.alwaysVisible')) {
        status.setAlwaysVisible(clientSettings().alwaysVisible);
      }
      const change = classifyChange((section) => e.affectsConfiguration(section));
      if (change === 'restart') {
        manager.scheduleRestart('pinwise.serverInterpreter changed');
      } else if (change === 'notify') {
        void manager.notifyConfigurationChanged();
      }
    }),
    onDidChangeInterpreter(() => void manager.notifyConfigurationChanged()),
    // Trusting the workspace lifts Restricted Mode without a reload: a new server, trusted.
    vscode.workspace.onDidGrantWorkspaceTrust(() => {
      void manager.restart('the workspace is now trusted');
    }),
  );

  await manager.start();
}

export async function deactivate(): Promise<void> {
  await server?.stop();
}
