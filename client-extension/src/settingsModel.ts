// The extension's settings as plain data: validation, variable expansion, which changes need a
// restart. No `vscode` import here, so the unit tests can load it.
import * as os from 'node:os';
import * as path from 'node:path';

export const SECTION = 'pinwise';

export type Severity = 'error' | 'warning' | 'information' | 'hint' | 'off';
export const SEVERITIES: readonly Severity[] = ['error', 'warning', 'information', 'hint', 'off'];
export const CODE_PATTERN = /^PW\d{3}$/;
/** The rule codes of the contract (the server rejects a settings section naming any other). */
export const KNOWN_CODES: ReadonlySet<string> = new Set(
  Array.from({ length: 17 }, (_, i) => `PW${String(i + 1).padStart(3, '0')}`),
);

function isKnownCode(code: string): boolean {
  return CODE_PATTERN.test(code) && KNOWN_CODES.has(code);
}

/** What the server reads from the `pinwise` section, per workspace folder. */
export interface FolderSettings {
  /** Absolute path of the interpreter to check against; empty: the server discovers one. */
  interpreter: string;
  severity: Record<string, Severity>;
  ignore: string[];
}

/** Settings of the extension itself (not sent to the server). */
export interface ClientSettings {
  serverInterpreter: string;
  alwaysVisible: boolean;
  trace: 'off' | 'messages' | 'verbose';
}

export interface Normalized<T> {
  value: T;
  /** One line per rejected entry, for the log. */
  problems: string[];
}

/** Keeps the valid `{"PW001": "error"}` entries; reports the others. */
export function normalizeSeverity(raw: unknown): Normalized<Record<string, Severity>> {
  const value: Record<string, Severity> = {};
  const problems: string[] = [];
  if (raw === undefined || raw === null) {
    return { value, problems };
  }
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { value, problems: ['pinwise.severity must be an object like {"PW001": "error"}'] };
  }
  for (const [code, sev] of Object.entries(raw as Record<string, unknown>)) {
    const key = code.trim().toUpperCase();
    if (!isKnownCode(key)) {
      problems.push(`pinwise.severity: "${code}" is not a rule code (PW001 to PW017)`);
      continue;
    }
    const level = typeof sev === 'string' ? sev.trim().toLowerCase() : sev;
    const alias = level === 'info' ? 'information' : level;
    if (typeof alias !== 'string' || !(SEVERITIES as readonly string[]).includes(alias)) {
      problems.push(
        `pinwise.severity: ${key} has "${String(sev)}"; use one of ${SEVERITIES.join(', ')}`,
      );
      continue;
    }
    value[key] = alias as Severity;
  }
  return { value, problems };
}

/** Keeps the valid rule codes of `pinwise.ignore`, upper-cased and without duplicates. */
export function normalizeIgnore(raw: unknown): Normalized<string[]> {
  const problems: string[] = [];
  if (raw === undefined || raw === null) {
    return { value: [], problems };
  }
  const items = typeof raw === 'string' ? raw.split(',') : raw;
  if (!Array.isArray(items)) {
    return { value: [], problems: ['pinwise.ignore must be a list of rule codes like ["PW011"]'] };
  }
  const value: string[] = [];
  for (const item of items) {
    const code = typeof item === 'string' ? item.trim().toUpperCase() : '';
    if (!isKnownCode(code)) {
      problems.push(`pinwise.ignore: "${String(item)}" is not a rule code (PW001 to PW017)`);
    } else if (!value.includes(code)) {
      value.push(code);
    }
  }
  return { value, problems };
}

export interface VariableContext {
  workspaceFolder?: string;
  /** Named folders for `${workspaceFolder:name}`. */
  folders?: Record<string, string>;
  userHome?: string;
  env?: Record<string, string | undefined>;
}

/**
 * Expands `${workspaceFolder}`, `${workspaceFolder:name}`, `${userHome}`, `${env:NAME}` and a
 * leading `~`, the variables VS Code users put in interpreter paths.
 */
export function expandVariables(value: string, ctx: VariableContext): string {
  const home = ctx.userHome ?? os.homedir();
  const env = ctx.env ?? process.env;
  let out = value.replace(/\$\{([^}]+)\}/g, (whole, name: string) => {
    if (name === 'workspaceFolder' || name === 'workspaceRoot') {
      return ctx.workspaceFolder ?? whole;
    }
    if (name.startsWith('workspaceFolder:')) {
      return ctx.folders?.[name.slice('workspaceFolder:'.length)] ?? whole;
    }
    if (name === 'userHome') {
      return home;
    }
    if (name.startsWith('env:')) {
      return env[name.slice(4)] ?? '';
    }
    return whole;
  });
  if (out === '~' || out.startsWith('~/')) {
    out = home + out.slice(1);
  }
  return out;
}

/**
 * The interpreter path a setting means: expanded, and absolute (relative paths are relative to
 * the workspace folder). Bare command names (`python3`) stay as they are: they are looked up on
 * PATH. Empty when unset.
 */
export function resolveInterpreterSetting(raw: unknown, ctx: VariableContext): string {
  if (typeof raw !== 'string') {
    return '';
  }
  const expanded = expandVariables(raw.trim(), ctx);
  if (!expanded) {
    return '';
  }
  const looksLikePath = expanded.includes('/') || expanded.includes('\\');
  if (looksLikePath && !path.isAbsolute(expanded) && ctx.workspaceFolder) {
    return path.join(ctx.workspaceFolder, expanded);
  }
  return expanded;
}

/**
 * `python.defaultInterpreterPath` defaults to `python`: that value says nothing about which
 * environment the user means, so the server's discovery is better.
 */
export function isUnsetDefaultInterpreterPath(value: string): boolean {
  return value === '' || value === 'python' || value === 'python3';
}

/** Settings whose change needs a new server process (the others reach the running server). */
export const RESTART_SETTINGS: readonly string[] = ['pinwise.serverInterpreter'];

/** Settings whose change is sent to the running server as `workspace/didChangeConfiguration`. */
export const LIVE_SETTINGS: readonly string[] = [
  'pinwise.interpreter',
  'pinwise.severity',
  'pinwise.ignore',
  'python.defaultInterpreterPath',
];

export type ConfigChange = 'restart' | 'notify' | 'none';

/** What a configuration change calls for, given `affectsConfiguration`. */
export function classifyChange(affects: (section: string) => boolean): ConfigChange {
  if (RESTART_SETTINGS.some((s) => affects(s))) {
    return 'restart';
  }
  if (LIVE_SETTINGS.some((s) => affects(s))) {
    return 'notify';
  }
  return 'none';
}

export function normalizeTrace(raw: unknown): ClientSettings['trace'] {
  return raw === 'messages' || raw === 'verbose' ? raw : 'off';
}
