import { describe, expect, it } from 'vitest';
import {
  envLabel,
  escapeMarkdown,
  normalizeFolderUri,
  payloadFor,
  payloadForDocument,
  innermostPayload,
  StatusPayload,
  statusView,
  summarizeCounts,
} from '../../src/statusView';

const venv: StatusPayload = {
  folder: 'file:///work/demo',
  interpreter: '/work/demo/.venv/bin/python',
  pythonVersion: '3.11.7',
  isVenv: true,
  envName: '.venv',
  counts: {},
  trusted: true,
};

describe('statusView from a pinwise/status payload', () => {
  it('all good: env name and version with a check', () => {
    const v = statusView({ phase: 'running', payload: venv, workspaceTrusted: true });
    expect(v.text).toBe('$(check) .venv (3.11.7)');
    expect(v.health).toBe('ok');
    expect(v.background).toBeUndefined();
    expect(v.tooltip).toContain('Interpreter: `/work/demo/.venv/bin/python` (virtual environment)');
    expect(v.tooltip).toContain('No findings.');
  });

  it('problems: counts in the text, a table per rule in the tooltip', () => {
    const v = statusView({
      phase: 'running',
      payload: { ...venv, counts: { PW001: 2, PW002: 1, PW003: 1, PW004: 1, PW011: 5 } },
      workspaceTrusted: true,
    });
    expect(v.text).toBe('$(warning) .venv (3.11.7) · 1 missing, 1 mismatched, 2 unpinned, 1 other');
    expect(v.health).toBe('problems');
    expect(v.background).toBe('warning');
    expect(v.tooltip).toContain('| PW001 | unpinned | 2 |');
    expect(v.tooltip).toContain('| PW002 | missing | 1 |');
    expect(v.tooltip).toContain('| PW011 | unaccounted for | 5 |');
    expect(v.accessibility).toBe('Pinwise: .venv (3.11.7) · 1 missing, 1 mismatched, 2 unpinned, 1 other');
  });

  it('only unpinned: a warning icon without the warning background', () => {
    const v = statusView({ phase: 'running', payload: { ...venv, counts: { PW001: 3 } }, workspaceTrusted: true });
    expect(v.text).toBe('$(warning) .venv (3.11.7) · 3 unpinned');
    expect(v.background).toBeUndefined();
  });

  it('informational codes alone keep it healthy', () => {
    const v = statusView({ phase: 'running', payload: { ...venv, counts: { PW011: 4, PW016: 1 } }, workspaceTrusted: true });
    expect(v.health).toBe('ok');
    expect(v.text).toBe('$(check) .venv (3.11.7)');
  });

  it('global interpreter: says so, warning background', () => {
    const v = statusView({
      phase: 'running',
      payload: { ...venv, interpreter: '/usr/bin/python3', envName: null, isVenv: false, counts: { PW010: 1 } },
      workspaceTrusted: true,
    });
    expect(v.text).toBe('$(alert) python3 (3.11.7) · global');
    expect(v.health).toBe('global');
    expect(v.background).toBe('warning');
    expect(v.tooltip).toContain('global interpreter');
  });

  it('an interpreter that cannot be inspected is not called global', () => {
    const gone = '/work/demo/.venv/bin/python: does not exist (a deleted venv?)';
    const v = statusView({
      phase: 'running',
      payload: { ...venv, pythonVersion: null, isVenv: null, envName: null, error: gone, counts: { PW001: 1 } },
      workspaceTrusted: true,
    });
    expect(v.text).toBe('$(error) python · cannot inspect · 1 unpinned');
    expect(v.health).toBe('unavailable');
    expect(v.tooltip).not.toContain('global');
    expect(v.tooltip).toContain('cannot be inspected: ');
    expect(v.tooltip).toContain(escapeMarkdown(gone));
    expect(v.tooltip).toContain('command:pinwise.selectInterpreter');
  });

  it('an interpreter not inspected yet: waiting, no verdict', () => {
    // (an older server sent isVenv: false before the inspection)
    const v = statusView({
      phase: 'running',
      payload: { ...venv, pythonVersion: null, isVenv: false, envName: null },
      workspaceTrusted: true,
    });
    expect(v.text).toBe('$(loading~spin) python');
    expect(v.health).toBe('waiting');
    expect(v.tooltip).not.toContain('global');
  });

  it('no interpreter found', () => {
    const v = statusView({ phase: 'running', payload: { ...venv, interpreter: null }, workspaceTrusted: true });
    expect(v.health).toBe('no-interpreter');
    expect(v.text).toBe('$(warning) No Python environment');
    expect(v.tooltip).toContain('command:pinwise.selectInterpreter');
  });

  it('restricted mode: shield, says Restricted, explains', () => {
    const v = statusView({
      phase: 'running',
      payload: { ...venv, trusted: false, counts: { PW001: 1 } },
      workspaceTrusted: false,
    });
    expect(v.text).toBe('$(shield) .venv (3.11.7) · 1 unpinned · Restricted');
    expect(v.health).toBe('restricted');
    expect(v.tooltip).toContain('Restricted Mode');
    expect(v.tooltip).toContain('command:workbench.trust.manage');
  });

  it('client states: starting, failed, stopped, waiting for the first status', () => {
    expect(statusView({ phase: 'starting', workspaceTrusted: true }).text).toBe('$(loading~spin) Pinwise');
    const failed = statusView({ phase: 'failed', workspaceTrusted: true, failure: 'no Python 3.9+' });
    expect(failed.text).toBe('$(error) Pinwise');
    expect(failed.background).toBe('error');
    expect(failed.tooltip).toContain('no Python 3\\.9\\+');
    expect(failed.tooltip).toContain('command:pinwise.restart');
    expect(statusView({ phase: 'stopped', workspaceTrusted: true }).health).toBe('stopped');
    expect(statusView({ phase: 'running', workspaceTrusted: true }).health).toBe('waiting');
    expect(statusView({ phase: 'running', workspaceTrusted: false }).text).toBe('$(shield) Pinwise: Restricted');
  });

  it('shows the server Python in the tooltip', () => {
    const v = statusView({ phase: 'running', payload: venv, workspaceTrusted: true, serverPython: '/usr/bin/python3' });
    expect(v.tooltip).toContain('Server runs on `/usr/bin/python3`');
  });
});

describe('helpers', () => {
  it('envLabel falls back to the interpreter file name, then Python', () => {
    expect(envLabel({ folder: 'f', interpreter: '/x/bin/python3.12', pythonVersion: '3.12.1' })).toBe('python3.12 (3.12.1)');
    expect(envLabel({ folder: 'f' })).toBe('Python');
  });

  it('summarizeCounts ignores zero and junk counts', () => {
    expect(summarizeCounts({ PW001: 0, PW002: -1, PW003: Number.NaN })).toBe('');
  });

  it('escapeMarkdown escapes what would format', () => {
    expect(escapeMarkdown('my_env [*]')).toBe('my\\_env \\[\\*\\]');
  });

  it('payloadFor matches folders however the URI is spelled, falls back to the only one', () => {
    const map = new Map([[normalizeFolderUri('file:///work/my%20demo/'), { ...venv, folder: 'file:///work/my%20demo/' }]]);
    expect(payloadFor(map, 'file:///work/my demo')?.folder).toBe('file:///work/my%20demo/');
    expect(payloadFor(map, 'file:///elsewhere')?.folder).toBe('file:///work/my%20demo/');
    map.set('file:///b', { ...venv, folder: 'file:///b' });
    expect(payloadFor(map, 'file:///elsewhere')).toBeUndefined();
  });

  it('payloadFor: in a multi-root window, never another folder\'s payload', () => {
    const map = new Map([[normalizeFolderUri('file:///ws/a'), { ...venv, folder: 'file:///ws/a' }]]);
    expect(payloadFor(map, 'file:///ws/b', 2)).toBeUndefined();
    expect(payloadFor(map, 'file:///ws/a', 2)?.folder).toBe('file:///ws/a');
    expect(payloadFor(map, undefined, 2)?.folder).toBe('file:///ws/a');
  });

  it('payloadForDocument: a file outside every folder shows its own folder\'s status', () => {
    const map = new Map([
      [normalizeFolderUri('file:///ws/a'), { ...venv, folder: 'file:///ws/a' }],
      [normalizeFolderUri('file:///tmp/my%20x'), { ...venv, folder: 'file:///tmp/my%20x', envName: 'loose' }],
    ]);
    // outside every workspace folder: the implicit folder the server made for it
    expect(payloadForDocument(map, 'file:///tmp/my%20x/requirements.txt', undefined, 'file:///ws/a', 1)?.envName).toBe('loose');
    // no status for it yet: nothing, never the first folder's
    expect(payloadForDocument(map, 'file:///tmp/other/requirements.txt', undefined, 'file:///ws/a', 1)).toBeUndefined();
    // a folder the server made for another file first holds this one too: the innermost
    const nested = new Map([...map, [normalizeFolderUri('file:///tmp/my%20x/sub/deeper'), { ...venv, folder: 'x', envName: 'deeper' }]]);
    expect(payloadForDocument(nested, 'file:///tmp/my%20x/sub/requirements.txt', undefined, 'file:///ws/a', 1)?.envName).toBe('loose');
    expect(payloadForDocument(nested, 'file:///tmp/my%20x/sub/deeper/r.txt', undefined, 'file:///ws/a', 1)?.envName).toBe('deeper');
    expect(payloadForDocument(nested, 'file:///tmp/my%20xy/r.txt', undefined, 'file:///ws/a', 1)).toBeUndefined();
    // a file the server does not judge, outside every folder and every folder of its own: as inside
    expect(payloadForDocument(map, 'file:///tmp/other/notes.md', undefined, 'file:///ws/a', 1, false)?.folder).toBe('file:///ws/a');
    // inside a folder, or no document, or not a file: the folder's (the first one's)
    expect(payloadForDocument(map, 'file:///ws/a/r.txt', 'file:///ws/a', 'file:///ws/a', 1)?.folder).toBe('file:///ws/a');
    expect(payloadForDocument(map, undefined, undefined, 'file:///ws/a', 1)?.folder).toBe('file:///ws/a');
    expect(payloadForDocument(map, 'untitled:Untitled-1', undefined, 'file:///ws/a', 1)?.folder).toBe('file:///ws/a');
  });

  it('innermostPayload: a folder holds what is under it, not a sibling with a longer name', () => {
    const map = new Map([[normalizeFolderUri('file:///'), { ...venv, folder: 'file:///' }]]);
    expect(innermostPayload(map, 'file:///c.txt')?.folder).toBe('file:///');
    map.set(normalizeFolderUri('file:///C:/w'), { ...venv, folder: 'file:///C:/w' });
    expect(innermostPayload(map, 'file:///c%3A/w/r.txt')?.folder).toBe('file:///C:/w');
    expect(innermostPayload(map, 'file:///c:/wx/r.txt')?.folder).toBe('file:///');
  });
});
