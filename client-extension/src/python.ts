// The interpreter the user selected in the Python extension (`@vscode/python-extension`), when
// `ms-python.python` is installed; probing a Python; finding environments for our own picker.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { PythonExtension } from '@vscode/python-extension';
import { traceError, traceInfo } from './logging';
export { probePython } from './probe';

export const PYTHON_EXTENSION_ID = 'ms-python.python';

const onDidChangeEmitter = new vscode.EventEmitter<vscode.Uri | undefined>();
/** Fires with the folder's URI (or undefined) when the Python extension's selection changes. */
export const onDidChangeInterpreter: vscode.Event<vscode.Uri | undefined> = onDidChangeEmitter.event;

let api: PythonExtension | undefined;

export function hasPythonExtension(): boolean {
  return vscode.extensions.getExtension(PYTHON_EXTENSION_ID) !== undefined;
}

/** Connects to the Python extension when it is installed; harmless when it is not. */
export async function initializePython(disposables: vscode.Disposable[]): Promise<void> {
  disposables.push(onDidChangeEmitter);
  if (!hasPythonExtension()) {
    traceInfo('Python extension not installed: the interpreter comes from pinwise.interpreter, '
      + 'python.defaultInterpreterPath, or the server\'s discovery');
    return;
  }
  try {
    api = await PythonExtension.api();
    disposables.push(
      api.environments.onDidChangeActiveEnvironmentPath((e) => {
        traceInfo(`Python extension: interpreter changed to ${e.path}`);
        onDidChangeEmitter.fire(e.resource?.uri);
      }),
    );
    traceInfo('Connected to the Python extension');
  } catch (e) {
    api = undefined;
    traceError('Could not connect to the Python extension', e);
  }
}

/** The Python extension's interpreter for a resource, resolved to an executable; undefined without it. */
export async function getSelectedInterpreter(resource?: vscode.Uri): Promise<string | undefined> {
  if (!api) {
    return undefined;
  }
  try {
    const active = api.environments.getActiveEnvironmentPath(resource);
    const resolved = await api.environments.resolveEnvironment(active);
    return resolved?.executable.uri?.fsPath ?? (active.path || undefined);
  } catch (e) {
    traceError('Python extension: could not resolve the active environment', e);
    return undefined;
  }
}

/** Opens the Python extension's interpreter picker; false when it is not installed. */
export async function selectWithPythonExtension(): Promise<boolean> {
  if (!api) {
    return false;
  }
  await vscode.commands.executeCommand('python.setInterpreter');
  return true;
}

const VENV_DIRS = ['.venv', 'venv', 'env', '.env'];

function interpreterIn(envDir: string): string | undefined {
  for (const rel of [path.join('bin', 'python'), path.join('Scripts', 'python.exe')]) {
    const candidate = path.join(envDir, rel);
    if (fs.existsSync(candidate)) {
      return candidate;
    }
  }
  return undefined;
}

export interface FoundEnvironment {
  interpreter: string;
  description: string;
}

/** Virtual environments in the workspace folders (and $VIRTUAL_ENV), for our own picker. */
export async function findEnvironments(): Promise<FoundEnvironment[]> {
  const found = new Map<string, FoundEnvironment>();
  const add = (interpreter: string | undefined, description: string) => {
    if (interpreter && !found.has(interpreter)) {
      found.set(interpreter, { interpreter, description });
    }
  };
  for (const folder of vscode.workspace.workspaceFolders ?? []) {
    for (const dir of VENV_DIRS) {
      add(interpreterIn(path.join(folder.uri.fsPath, dir)), `${dir} in ${folder.name}`);
    }
  }
  try {
    const cfgs = await vscode.workspace.findFiles('**/pyvenv.cfg', '**/node_modules/**', 50);
    for (const cfg of cfgs) {
      const dir = path.dirname(cfg.fsPath);
      add(interpreterIn(dir), vscode.workspace.asRelativePath(dir));
    }
  } catch (e) {
    traceError('Searching the workspace for virtual environments failed', e);
  }
  if (process.env.VIRTUAL_ENV) {
    add(interpreterIn(process.env.VIRTUAL_ENV), '$VIRTUAL_ENV');
  }
  return [...found.values()];
}
