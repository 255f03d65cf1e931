// The interpreter status bar item, driven by state: the client's phase (starting, running,
// stopped, failed), the server's `pinwise/status` notifications per folder, and workspace trust.
import * as vscode from 'vscode';
import {
  ClientPhase,
  normalizeFolderUri,
  payloadForDocument,
  StatusPayload,
  StatusView,
  statusView,
} from './statusView';

export const REQUIREMENTS_LANGUAGE = 'pip-requirements';

export class StatusController implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private readonly payloads = new Map<string, StatusPayload>();
  private readonly disposables: vscode.Disposable[] = [];
  private phase: ClientPhase = 'starting';
  private failure: string | undefined;
  private serverPython: string | undefined;
  private alwaysVisible = false;
  private current: StatusView | undefined;

  constructor() {
    this.item = vscode.window.createStatusBarItem('pinwise.status', vscode.StatusBarAlignment.Left, 99);
    this.item.name = 'Pinwise';
    this.item.command = 'pinwise.showActions';
    this.disposables.push(
      this.item,
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidGrantWorkspaceTrust(() => this.render()),
      vscode.workspace.onDidOpenTextDocument(() => this.render()),
    );
    this.render();
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }

  setPhase(phase: ClientPhase, failure?: string): void {
    this.phase = phase;
    this.failure = phase === 'failed' ? failure : undefined;
    if (phase !== 'running') {
      this.payloads.clear();
    }
    this.render();
  }

  setServerPython(executable: string | undefined): void {
    this.serverPython = executable;
    this.render();
  }

  setAlwaysVisible(value: boolean): void {
    this.alwaysVisible = value;
    this.render();
  }

  /** A `pinwise/status` notification. */
  update(payload: StatusPayload): void {
    if (!payload || typeof payload.folder !== 'string') {
      return;
    }
    this.payloads.set(normalizeFolderUri(payload.folder), payload);
    this.render();
  }

  /** The payload for the active document's folder, for the quick pick and the tests. */
  activePayload(): StatusPayload | undefined {
    const doc = vscode.window.activeTextEditor?.document;
    const folders = vscode.workspace.workspaceFolders;
    return payloadForDocument(
      this.payloads,
      doc?.uri.toString(),
      doc ? vscode.workspace.getWorkspaceFolder(doc.uri)?.uri.toString() : undefined,
      folders?.[0]?.uri.toString(),
      folders?.length ?? 0,
      doc?.languageId === REQUIREMENTS_LANGUAGE,
    );
  }

  /** What the item shows now. */
  view(): StatusView | undefined {
    return this.current;
  }

  private render(): void {
    const view = statusView({
      phase: this.phase,
      payload: this.activePayload(),
      workspaceTrusted: vscode.workspace.isTrusted,
      failure: this.failure,
      serverPython: this.serverPython,
    });
    this.current = view;
    this.item.text = view.text;
    const tooltip = new vscode.MarkdownString(view.tooltip, true);
    tooltip.isTrusted = {
      enabledCommands: [
        'pinwise.showActions',
        'pinwise.showLog',
        'pinwise.restart',
        'pinwise.selectInterpreter',
        'pinwise.createVenv',
        'workbench.trust.manage',
      ],
    };
    this.item.tooltip = tooltip;
    this.item.accessibilityInformation = { label: view.accessibility };
    this.item.backgroundColor = view.background
      ? new vscode.ThemeColor(`statusBarItem.${view.background}Background`)
      : undefined;
    const editor = vscode.window.activeTextEditor;
    const onRequirements = editor?.document.languageId === REQUIREMENTS_LANGUAGE;
    if (this.alwaysVisible || onRequirements) {
      this.item.show();
    } else {
      this.item.hide();
    }
  }
}

/** The workspace folder of the active editor, else the first folder. */
export function activeFolder(): vscode.WorkspaceFolder | undefined {
  const doc = vscode.window.activeTextEditor?.document;
  const own = doc ? vscode.workspace.getWorkspaceFolder(doc.uri) : undefined;
  return own ?? vscode.workspace.workspaceFolders?.[0];
}
