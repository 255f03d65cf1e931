// What the status bar item shows, computed from the server's `pinwise/status` payload and the
// client's state. Plain data in, plain data out (no `vscode` import): status.ts renders it.

/** The `pinwise/status` notification's payload (see the contract). */
export interface StatusPayload {
  folder: string;
  interpreter?: string | null;
  pythonVersion?: string | null;
  isVenv?: boolean | null;
  envName?: string | null;
  counts?: Record<string, number> | null;
  trusted?: boolean | null;
  /** Why the interpreter cannot be inspected (null when it is, or before it is tried). */
  error?: string | null;
}

export type ClientPhase = 'starting' | 'running' | 'stopped' | 'failed';

export type Health =
  | 'ok'
  | 'problems'
  | 'global'
  | 'no-interpreter'
  | 'unavailable'
  | 'restricted'
  | 'waiting'
  | 'starting'
  | 'stopped'
  | 'failed';

export interface StatusInput {
  phase: ClientPhase;
  /** The status of the folder the active editor belongs to, when the server sent one. */
  payload?: StatusPayload;
  /** vscode.workspace.isTrusted */
  workspaceTrusted: boolean;
  /** Why the server is not running (phase 'failed'). */
  failure?: string;
  /** The Python that runs the server, for the tooltip. */
  serverPython?: string;
}

export interface StatusView {
  /** Status bar text, with codicons. */
  text: string;
  /** Markdown. */
  tooltip: string;
  health: Health;
  /** Background colour: undefined, or the theme's warning/error background. */
  background?: 'warning' | 'error';
  /** For screen readers. */
  accessibility: string;
}

/** Short words for the rules, used in the tooltip's table and the summary. */
export const RULE_LABELS: Record<string, string> = {
  PW001: 'unpinned',
  PW002: 'missing',
  PW003: 'version mismatch',
  PW004: 'duplicate',
  PW005: 'invalid line',
  PW006: 'missing include',
  PW007: 'include cycle',
  PW008: 'hash mode',
  PW009: 'excluded by marker',
  PW010: 'global interpreter',
  PW011: 'unaccounted for',
  PW012: 'broken dependency',
  PW013: 'moving target',
  PW014: 'extra not installed',
  PW015: 'undeclared import',
  PW016: 'unused requirement',
  PW017: 'compiled file out of date',
};

/** Codes that are informational by default: they never make the item look unhealthy. */
const QUIET_CODES = new Set(['PW009', 'PW010', 'PW011', 'PW016']);

/** Escapes Markdown's special characters in text we do not control (paths, names). */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>~]/g, (c) => `\\${c}`);
}

/** `.venv (3.11.7)`; the interpreter's file name when the server gave no environment name. */
export function envLabel(payload: StatusPayload): string {
  let name = payload.envName ?? '';
  if (!name && payload.interpreter) {
    const parts = payload.interpreter.split(/[\\/]/).filter(Boolean);
    name = parts[parts.length - 1] ?? payload.interpreter;
  }
  if (!name) {
    name = 'Python';
  }
  return payload.pythonVersion ? `${name} (${payload.pythonVersion})` : name;
}

function count(counts: Record<string, number>, code: string): number {
  const n = counts[code];
  return typeof n === 'number' && Number.isFinite(n) && n > 0 ? n : 0;
}

/** `2 unpinned, 1 missing, 1 mismatched, 3 other`; empty when there is nothing to say. */
export function summarizeCounts(counts: Record<string, number>): string {
  const parts: string[] = [];
  const missing = count(counts, 'PW002');
  const mismatched = count(counts, 'PW003');
  const unpinned = count(counts, 'PW001');
  if (missing) parts.push(`${missing} missing`);
  if (mismatched) parts.push(`${mismatched} mismatched`);
  if (unpinned) parts.push(`${unpinned} unpinned`);
  let other = 0;
  for (const code of Object.keys(counts)) {
    if (!['PW001', 'PW002', 'PW003'].includes(code) && !QUIET_CODES.has(code)) {
      other += count(counts, code);
    }
  }
  if (other) parts.push(`${other} other`);
  return parts.join(', ');
}

function countsTable(counts: Record<string, number>): string {
  const codes = Object.keys(counts)
    .filter((c) => count(counts, c) > 0)
    .sort();
  if (codes.length === 0) {
    return 'No findings.';
  }
  const rows = codes.map(
    (c) => `| ${c} | ${escapeMarkdown(RULE_LABELS[c] ?? 'finding')} | ${count(counts, c)} |`,
  );
  return ['| rule | finding | count |', '| --- | --- | ---: |', ...rows].join('\n');
}

const RESTRICTED_NOTE =
  '$(shield) **Restricted Mode**: static inspection only; the interpreter and pip are never ' +
  'started. [Trust the workspace](command:workbench.trust.manage) to lift it.';

const ACTIONS_LINK = '[Actions](command:pinwise.showActions) · [Log](command:pinwise.showLog)';

/** The status bar item for the given state. */
export function statusView(input: StatusInput): StatusView {
  const title = '**Pinwise**';
  if (input.phase === 'failed') {
    return {
      text: '$(error) Pinwise',
      tooltip: [
        `${title}: the language server is not running.`,
        escapeMarkdown(input.failure ?? 'It stopped.'),
        '[Restart](command:pinwise.restart) · [Log](command:pinwise.showLog)',
      ].join('\n\n'),
      health: 'failed',
      background: 'error',
      accessibility: `Pinwise: server failed. ${input.failure ?? ''}`.trim(),
    };
  }
  if (input.phase === 'starting') {
    return {
      text: '$(loading~spin) Pinwise',
      tooltip: `${title}: starting the language server…`,
      health: 'starting',
      accessibility: 'Pinwise: starting',
    };
  }
  if (input.phase === 'stopped') {
    return {
      text: '$(circle-slash) Pinwise',
      tooltip: `${title}: the language server is stopped.\n\n[Restart](command:pinwise.restart)`,
      health: 'stopped',
      accessibility: 'Pinwise: stopped',
    };
  }
  const restricted = !input.workspaceTrusted || input.payload?.trusted === false;
  const payload = input.payload;
  if (!payload) {
    return {
      text: restricted ? '$(shield) Pinwise: Restricted' : '$(loading~spin) Pinwise',
      tooltip: [
        `${title}: inspecting the environment…`,
        ...(restricted ? [RESTRICTED_NOTE] : []),
        ACTIONS_LINK,
      ].join('\n\n'),
      health: restricted ? 'restricted' : 'waiting',
      accessibility: restricted ? 'Pinwise: restricted mode' : 'Pinwise: inspecting',
    };
  }

  const counts = payload.counts ?? {};
  const summary = summarizeCounts(counts);
  const lines: string[] = [];
  let text: string;
  let health: Health;
  let background: StatusView['background'];

  if (!payload.interpreter) {
    health = 'no-interpreter';
    text = '$(warning) No Python environment';
    background = 'warning';
    lines.push(
      `${title}: no interpreter found for this folder. ` +
        '[Select one](command:pinwise.selectInterpreter) or ' +
        '[create a virtual environment](command:pinwise.createVenv).',
    );
  } else if (payload.pythonVersion == null) {
    // Not inspected: not yet, or not at all (a deleted venv). No verdict on venv or global.
    const label = envLabel(payload);
    lines.push(`${title} · ${escapeMarkdown(label)}`);
    if (payload.error) {
      health = 'unavailable';
      text = `$(error) ${label} · cannot inspect`;
      background = 'warning';
      lines.push(
        `Interpreter: \`${payload.interpreter.replace(/`/g, "'")}\` cannot be inspected: ` +
          `${escapeMarkdown(payload.error)}`,
        '[Select another](command:pinwise.selectInterpreter) or ' +
          '[create a virtual environment](command:pinwise.createVenv).',
      );
    } else {
      health = 'waiting';
      text = `$(loading~spin) ${label}`;
      lines.push(`Interpreter: \`${payload.interpreter.replace(/`/g, "'")}\`: inspecting the environment…`);
    }
  } else {
    const label = envLabel(payload);
    const kind = payload.isVenv === false ? 'global interpreter' : 'virtual environment';
    lines.push(`${title} · ${escapeMarkdown(label)}`);
    lines.push(`Interpreter: \`${payload.interpreter.replace(/`/g, "'")}\` (${kind})`);
    const problems = Object.keys(counts).some((c) => !QUIET_CODES.has(c) && count(counts, c) > 0);
    const serious = ['PW002', 'PW003'].some((c) => count(counts, c) > 0);
    if (payload.isVenv === false) {
      health = 'global';
      text = `$(alert) ${label} · global`;
      background = 'warning';
      lines.push(
        'This is not a virtual environment: installing would change the global interpreter. ' +
          '[Create a virtual environment](command:pinwise.createVenv).',
      );
    } else if (problems) {
      health = 'problems';
      text = `$(warning) ${label}`;
      background = serious ? 'warning' : undefined;
    } else {
      health = 'ok';
      text = `$(check) ${label}`;
    }
  }
  if (summary) {
    text += ` · ${summary}`;
  }
  lines.push(countsTable(counts));
  if (restricted) {
    health = 'restricted';
    text = text.replace(/^\$\([^)]+\)/, '$(shield)') + ' · Restricted';
    background = undefined;
    lines.push(RESTRICTED_NOTE);
  }
  if (input.serverPython) {
    lines.push(`Server runs on \`${input.serverPython.replace(/`/g, "'")}\``);
  }
  lines.push(ACTIONS_LINK);
  const plain = text.replace(/\$\([^)]+\)\s*/g, '');
  return { text, tooltip: lines.join('\n\n'), health, background, accessibility: `Pinwise: ${plain}` };
}

/**
 * Picks the payload for the active folder. The only payload there is stands in when no folder
 * is asked for, or in a window with one workspace folder (a file outside it); in a multi-root
 * window another folder's payload would show the wrong environment until this one's arrives.
 */
export function payloadFor(
  payloads: ReadonlyMap<string, StatusPayload>,
  folderUri: string | undefined,
  workspaceFolders = 1,
): StatusPayload | undefined {
  if (folderUri !== undefined) {
    const direct = payloads.get(normalizeFolderUri(folderUri));
    if (direct) {
      return direct;
    }
  }
  if (payloads.size === 1 && (folderUri === undefined || workspaceFolders <= 1)) {
    return payloads.values().next().value;
  }
  return undefined;
}

/**
 * Whose status the item shows for the active document. A file outside every workspace folder is
 * judged by the server with the environment found from a folder of its own (an implicit folder,
 * with a status of its own: the innermost one holding it, which may be an ancestor when another
 * file made it first), so that folder's payload. A document the server judges (`judged`: a
 * requirements file) never shows another folder's payload, nothing until its own arrives; any
 * other file outside the folders shows the first folder's, as inside.
 */
export function payloadForDocument(
  payloads: ReadonlyMap<string, StatusPayload>,
  documentUri: string | undefined,
  documentFolderUri: string | undefined,
  firstFolderUri: string | undefined,
  workspaceFolders: number,
  judged = true,
): StatusPayload | undefined {
  if (documentUri !== undefined && documentFolderUri === undefined && documentUri.startsWith('file:')) {
    const own = innermostPayload(payloads, documentUri);
    if (own !== undefined || judged) {
      return own;
    }
  }
  return payloadFor(payloads, documentFolderUri ?? firstFolderUri, workspaceFolders);
}

/** The payload of the innermost folder holding `documentUri`, if any. */
export function innermostPayload(
  payloads: ReadonlyMap<string, StatusPayload>,
  documentUri: string,
): StatusPayload | undefined {
  const doc = normalizeFolderUri(documentUri);
  let best: [string, StatusPayload] | undefined;
  for (const [folder, payload] of payloads) {
    const inside = doc.startsWith(folder.endsWith('/') ? folder : `${folder}/`);
    if (inside && (best === undefined || folder.length > best[0].length)) {
      best = [folder, payload];
    }
  }
  return best?.[1];
}

/** `file:///a/b/` and `file:///a/b` name the same folder; the server may percent-encode differently. */
export function normalizeFolderUri(uri: string): string {
  let out = uri.replace(/\/+$/, '');
  try {
    out = decodeURIComponent(out);
  } catch {
    // keep as is
  }
  return out.replace(/^file:\/\/\/([a-zA-Z]):/, (_, d: string) => `file:///${d.toLowerCase()}:`);
}
