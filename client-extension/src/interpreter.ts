// Which interpreter is checked, and which Python runs the server: the order of choice as plain
// functions (no `vscode` import), so the unit tests pin it down.
import { isUnsetDefaultInterpreterPath } from './settingsModel';

export type InterpreterSource =
  | 'python extension'
  | 'pinwise.interpreter'
  | 'python.defaultInterpreterPath'
  | 'discovery';

export interface InterpreterChoice {
  /** Absolute path, or undefined to let the server discover one. */
  path?: string;
  source: InterpreterSource;
}

export interface InterpreterInputs {
  /** The Python extension's active interpreter for the folder (undefined: not installed). */
  pythonExtension?: string;
  /** `pinwise.interpreter`, already expanded. */
  pinwiseInterpreter?: string;
  /** `python.defaultInterpreterPath`, already expanded. */
  defaultInterpreterPath?: string;
}

/**
 * The environment to check: the Python extension's selection when it is installed, otherwise
 * `pinwise.interpreter`, then `python.defaultInterpreterPath` (unless it is the bare default),
 * then the server's own discovery.
 */
export function chooseInterpreter(inputs: InterpreterInputs): InterpreterChoice {
  if (inputs.pythonExtension) {
    return { path: inputs.pythonExtension, source: 'python extension' };
  }
  if (inputs.pinwiseInterpreter) {
    return { path: inputs.pinwiseInterpreter, source: 'pinwise.interpreter' };
  }
  const def = inputs.defaultInterpreterPath ?? '';
  if (!isUnsetDefaultInterpreterPath(def)) {
    return { path: def, source: 'python.defaultInterpreterPath' };
  }
  return { source: 'discovery' };
}

export type ServerCandidateSource = 'pinwise.serverInterpreter' | 'selected interpreter' | 'PATH';

export interface ServerCandidate {
  command: string;
  source: ServerCandidateSource;
}

export interface ServerCandidateInputs {
  serverInterpreter?: string;
  /** The interpreter being checked (see chooseInterpreter). */
  selected?: string;
  /** In Restricted Mode the workspace's own interpreter is never started. */
  trusted: boolean;
}

/**
 * Candidates for running the server, in order: `pinwise.serverInterpreter`, the selected
 * interpreter (only in a trusted workspace), then `python3` and `python` on PATH.
 */
export function serverCandidates(inputs: ServerCandidateInputs): ServerCandidate[] {
  const out: ServerCandidate[] = [];
  const add = (command: string | undefined, source: ServerCandidateSource) => {
    if (command && !out.some((c) => c.command === command)) {
      out.push({ command, source });
    }
  };
  add(inputs.serverInterpreter, 'pinwise.serverInterpreter');
  if (inputs.trusted) {
    add(inputs.selected, 'selected interpreter');
  }
  add('python3', 'PATH');
  add('python', 'PATH');
  return out;
}

export const MIN_PYTHON: readonly [number, number] = [3, 9];

export type Version = [number, number, number];

/** `3.11.7` (first line of the probe's output) to [3, 11, 7]. */
export function parseVersion(text: string): Version | undefined {
  const m = /^\s*(\d+)\.(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

export function isRecentEnough(v: Version): boolean {
  return v[0] > MIN_PYTHON[0] || (v[0] === MIN_PYTHON[0] && v[1] >= MIN_PYTHON[1]);
}

export function formatVersion(v: Version): string {
  return v.join('.');
}

/** What running a candidate told us. */
export interface ProbeResult {
  /** The interpreter ran and printed its version. */
  version?: Version;
  /** Absolute path of the executable (sys.executable). */
  executable?: string;
  /** Why it could not be used (not found, crashed, cannot import the bundled server...). */
  error?: string;
}

export type Probe = (command: string) => Promise<ProbeResult>;

export interface Tried {
  candidate: ServerCandidate;
  reason: string;
}

export interface ServerPick {
  chosen?: { candidate: ServerCandidate; version: Version; executable: string };
  tried: Tried[];
}

/** The first candidate that runs, is >= 3.9 and can import the bundled server. */
export async function pickServerInterpreter(
  candidates: ServerCandidate[],
  probe: Probe,
): Promise<ServerPick> {
  const tried: Tried[] = [];
  for (const candidate of candidates) {
    let result: ProbeResult;
    try {
      result = await probe(candidate.command);
    } catch (e) {
      result = { error: e instanceof Error ? e.message : String(e) };
    }
    if (result.version && !isRecentEnough(result.version)) {
      tried.push({
        candidate,
        reason: `Python ${formatVersion(result.version)} is older than ${MIN_PYTHON.join('.')}`,
      });
      continue;
    }
    if (result.error || !result.version) {
      tried.push({ candidate, reason: result.error ?? 'did not print its version' });
      continue;
    }
    return {
      chosen: { candidate, version: result.version, executable: result.executable ?? candidate.command },
      tried,
    };
  }
  return { tried };
}

/** The message shown when no candidate works: what was tried, and how to fix it. */
export function noServerInterpreterMessage(tried: Tried[]): string {
  const list = tried
    .map((t) => `${t.candidate.command} (${t.candidate.source}): ${t.reason}`)
    .join('; ');
  const imports = tried.filter((t) => /No module named|ModuleNotFoundError|ImportError/.test(t.reason));
  if (tried.length > 0 && imports.length === tried.length) {
    // Every Python ran but none could import the server: the extension's bundle is broken,
    // not the user's Python (asking for "Python 3.9+" would send them the wrong way).
    return (
      'Pinwise could not start its language server: its bundled libraries could not be imported ' +
      `by any Python. Tried: ${list}. Fix: reinstall the Pinwise extension, then run ` +
      '"Pinwise: Restart Server".'
    );
  }
  return (
    `Pinwise could not start its language server: it needs Python ${MIN_PYTHON.join('.')} or ` +
    `newer, and none of the candidates worked. Tried: ${list || 'nothing'}. ` +
    'Fix: install Python 3.9+ so that `python3` is on PATH, or set "pinwise.serverInterpreter" ' +
    'to the full path of a Python 3.9+ executable, then run "Pinwise: Restart Server".'
  );
}

/** The Python code a probe runs: prints the version and the executable, imports the server. */
export const PROBE_CODE =
  'import sys; print("%d.%d.%d" % sys.version_info[:3]); print(sys.executable); ' +
  'import pinwise, pygls, lsprotocol, packaging';
