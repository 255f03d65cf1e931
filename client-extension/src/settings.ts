// Reads the `pinwise` settings (and `python.defaultInterpreterPath`) for a scope, and resolves
// the interpreter to check, per workspace folder.
import * as vscode from 'vscode';
import { chooseInterpreter, InterpreterChoice } from './interpreter';
import { getSelectedInterpreter } from './python';
import {
  ClientSettings,
  FolderSettings,
  normalizeIgnore,
  normalizeSeverity,
  normalizeTrace,
  resolveInterpreterSetting,
  SECTION,
  VariableContext,
} from './settingsModel';
import { traceWarn } from './logging';

function variableContext(folder?: vscode.WorkspaceFolder): VariableContext {
  const folders: Record<string, string> = {};
  for (const f of vscode.workspace.workspaceFolders ?? []) {
    folders[f.name] = f.uri.fsPath;
  }
  const first = vscode.workspace.workspaceFolders?.[0];
  return { workspaceFolder: (folder ?? first)?.uri.fsPath, folders };
}

/** The workspace folder a resource (file or folder URI) belongs to, if any. */
export function folderOf(resource?: vscode.Uri): vscode.WorkspaceFolder | undefined {
  if (!resource) {
    return undefined;
  }
  return vscode.workspace.getWorkspaceFolder(resource);
}

const reported = new Set<string>();
function reportOnce(problems: string[]): void {
  for (const p of problems) {
    if (!reported.has(p)) {
      reported.add(p);
      traceWarn(`${p} (ignored)`);
    }
  }
}

/** The interpreter to check for a folder: Python extension, pinwise.interpreter, defaultInterpreterPath, discovery. */
export async function resolveInterpreter(scope?: vscode.Uri): Promise<InterpreterChoice> {
  const folder = folderOf(scope) ?? vscode.workspace.workspaceFolders?.[0];
  const ctx = variableContext(folder);
  const pinwise = vscode.workspace.getConfiguration(SECTION, folder?.uri ?? scope);
  const python = vscode.workspace.getConfiguration('python', folder?.uri ?? scope);
  return chooseInterpreter({
    pythonExtension: await getSelectedInterpreter(folder?.uri ?? scope),
    pinwiseInterpreter: resolveInterpreterSetting(pinwise.get('interpreter'), ctx),
    defaultInterpreterPath: resolveInterpreterSetting(python.get('defaultInterpreterPath'), ctx),
  });
}

/** The `pinwise` section the server reads for a folder, with the interpreter resolved. */
export async function folderSettings(scope?: vscode.Uri): Promise<FolderSettings> {
  const folder = folderOf(scope) ?? vscode.workspace.workspaceFolders?.[0];
  const config = vscode.workspace.getConfiguration(SECTION, folder?.uri ?? scope);
  const severity = normalizeSeverity(config.get('severity'));
  const ignore = normalizeIgnore(config.get('ignore'));
  reportOnce([...severity.problems, ...ignore.problems]);
  const interpreter = await resolveInterpreter(folder?.uri ?? scope);
  return { interpreter: interpreter.path ?? '', severity: severity.value, ignore: ignore.value };
}

/** Merges the resolved settings into what VS Code answered for `workspace/configuration`. */
export function mergeSection(answer: unknown, settings: FolderSettings): Record<string, unknown> {
  const base = typeof answer === 'object' && answer !== null && !Array.isArray(answer) ? answer : {};
  return { ...(base as Record<string, unknown>), ...settings };
}

export function clientSettings(): ClientSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  return {
    serverInterpreter: resolveInterpreterSetting(config.get('serverInterpreter'), variableContext()),
    alwaysVisible: config.get<boolean>('statusBar.alwaysVisible') === true,
    trace: normalizeTrace(config.get('trace.server')),
  };
}
