// The extension's commands: the server's commands (delegated to `workspace/executeCommand`), and
// the client's own: restart, show log, select interpreter, the status item's quick pick.
import * as vscode from 'vscode';
import { EDITING_COMMANDS, FILE_COMMANDS, LONG_COMMANDS, SERVER_COMMANDS, serverArguments } from './commandArgs';
import { getLogChannel, traceError, traceInfo } from './logging';
import { findEnvironments, hasPythonExtension, selectWithPythonExtension } from './python';
import { ServerManager } from './server';
import { activeFolder, REQUIREMENTS_LANGUAGE, StatusController } from './status';

function argContext() {
  const doc = vscode.window.activeTextEditor?.document;
  return {
    activeRequirements: doc?.languageId === REQUIREMENTS_LANGUAGE ? doc.uri.toString() : undefined,
    activeFolder: activeFolder()?.uri.toString(),
  };
}

/** Runs a server command; the long ones show a spinner in the status bar while they run (the
 * server reports their output as cancellable progress). */
async function runServerCommand(server: ServerManager, command: string, args: unknown[]): Promise<unknown> {
  const serverArgs = serverArguments(command, args, argContext());
  traceInfo(`${command} ${JSON.stringify(serverArgs)}`);
  try {
    const title = LONG_COMMANDS[command];
    if (!title) {
      return await server.executeCommand(command, serverArgs);
    }
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Pinwise: ${title}` },
      () => server.executeCommand(command, serverArgs),
    );
  } catch (e) {
    traceError(`${command} failed`, e);
    void vscode.window.showErrorMessage(
      `Pinwise: ${command} failed: ${e instanceof Error ? e.message : String(e)}`,
    );
    return undefined;
  }
}

/** Freeze into which file: the given or active requirements file, else the folder's requirements.txt. */
async function freezeTarget(args: unknown[]): Promise<unknown[]> {
  if (args.some((a) => a !== undefined) || vscode.window.activeTextEditor?.document.languageId === REQUIREMENTS_LANGUAGE) {
    return args;
  }
  const folder = activeFolder();
  if (!folder) {
    return args;
  }
  return [vscode.Uri.joinPath(folder.uri, 'requirements.txt')];
}

/** A file command handed a file from the explorer opens it first, so the server reads it with
 * its language (a `files.associations` name included); one that edits it shows it too: the
 * user sees the edit, which stays unsaved until they save it. */
async function showEditedFile(command: string, args: unknown[]): Promise<void> {
  const target = args[0];
  if (!FILE_COMMANDS.has(command) || !(target instanceof vscode.Uri) || target.scheme !== 'file') {
    return;
  }
  try {
    const stat = await vscode.workspace.fs.stat(target);
    if (!(stat.type & vscode.FileType.File)) {
      return;
    }
    if (EDITING_COMMANDS.has(command)) {
      await vscode.window.showTextDocument(target, { preview: false });
    } else {
      await vscode.workspace.openTextDocument(target);
    }
  } catch {
    // not there (freeze creates requirements.txt): the server's edit makes it
  }
}

async function selectInterpreter(): Promise<void> {
  if (hasPythonExtension() && (await selectWithPythonExtension())) {
    return;
  }
  const folder = activeFolder();
  type Item = vscode.QuickPickItem & { value?: string; browse?: boolean; clear?: boolean };
  const found = await findEnvironments();
  const current = vscode.workspace.getConfiguration('pinwise', folder?.uri).get<string>('interpreter') ?? '';
  const items: Item[] = found.map((e) => ({
    label: `$(python) ${e.description}`,
    description: e.interpreter,
    value: e.interpreter,
    picked: e.interpreter === current,
  }));
  items.push(
    { label: '$(folder-opened) Browse…', description: 'choose a Python executable', browse: true },
    { label: '$(search) Automatic', description: 'let Pinwise discover the environment', clear: true },
  );
  const choice = await vscode.window.showQuickPick(items, {
    title: 'Pinwise: interpreter to check requirements against',
    placeHolder: current ? `now: ${current}` : 'now: discovered automatically',
  });
  if (!choice) {
    return;
  }
  let value = choice.value ?? '';
  if (choice.browse) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      defaultUri: folder?.uri,
      openLabel: 'Use this interpreter',
      title: 'Python executable',
    });
    if (!picked?.[0]) {
      return;
    }
    value = picked[0].fsPath;
  }
  const target = folder && (vscode.workspace.workspaceFolders?.length ?? 0) > 1
    ? vscode.ConfigurationTarget.WorkspaceFolder
    : vscode.ConfigurationTarget.Workspace;
  await vscode.workspace
    .getConfiguration('pinwise', folder?.uri)
    .update('interpreter', value || undefined, folder ? target : vscode.ConfigurationTarget.Global);
  traceInfo(`pinwise.interpreter set to ${value || '(automatic)'}`);
}

async function showActions(server: ServerManager, status: StatusController): Promise<void> {
  type Item = vscode.QuickPickItem & { run?: () => unknown };
  const payload = status.activePayload();
  const trusted = vscode.workspace.isTrusted;
  const needsTrust = trusted ? undefined : 'needs a trusted workspace';
  const items: Item[] = [
    {
      label: '$(python) Select Interpreter',
      description: payload?.interpreter ?? undefined,
      run: () => vscode.commands.executeCommand('pinwise.selectInterpreter'),
    },
    {
      label: '$(cloud-download) Install Missing Requirements',
      description: needsTrust,
      run: () => vscode.commands.executeCommand('pinwise.installMissing'),
    },
    {
      label: '$(pinned) Freeze Environment into requirements.txt',
      run: () => vscode.commands.executeCommand('pinwise.freeze'),
    },
    {
      label: '$(pin) Pin All Unpinned Requirements',
      run: () => vscode.commands.executeCommand('pinwise.pinAll'),
    },
    {
      label: '$(add) Create a Virtual Environment',
      description: needsTrust,
      run: () => vscode.commands.executeCommand('pinwise.createVenv'),
    },
    { label: '', kind: vscode.QuickPickItemKind.Separator },
    { label: '$(output) Show Log', run: () => vscode.commands.executeCommand('pinwise.showLog') },
    { label: '$(debug-restart) Restart Server', run: () => vscode.commands.executeCommand('pinwise.restart') },
  ];
  if (!trusted) {
    items.push({
      label: '$(shield) Manage Workspace Trust',
      description: 'Restricted Mode: static inspection only',
      run: () => vscode.commands.executeCommand('workbench.trust.manage'),
    });
  }
  const view = status.view();
  const choice = await vscode.window.showQuickPick(items, {
    title: view ? `Pinwise: ${view.accessibility.replace(/^Pinwise: /, '')}` : 'Pinwise',
    placeHolder: server.lastFailure ?? 'Choose an action',
  });
  await choice?.run?.();
}

export function registerCommands(
  context: vscode.ExtensionContext,
  server: ServerManager,
  status: StatusController,
): void {
  for (const command of SERVER_COMMANDS) {
    context.subscriptions.push(
      vscode.commands.registerCommand(command, async (...args: unknown[]) => {
        const finalArgs = command === 'pinwise.freeze' ? await freezeTarget(args) : args;
        await showEditedFile(command, finalArgs);
        return runServerCommand(server, command, finalArgs);
      }),
    );
  }
  context.subscriptions.push(
    vscode.commands.registerCommand('pinwise.restart', () => server.restart('requested by the user')),
    vscode.commands.registerCommand('pinwise.showLog', () => getLogChannel().show()),
    vscode.commands.registerCommand('pinwise.selectInterpreter', selectInterpreter),
    vscode.commands.registerCommand('pinwise.showActions', () => showActions(server, status)),
    // For tests and for other extensions: what the status item shows, as data.
    vscode.commands.registerCommand('pinwise.statusView', () => ({
      view: status.view(),
      payload: status.activePayload(),
      running: server.isRunning,
      failure: server.lastFailure,
      ...server.info,
    })),
  );
}

