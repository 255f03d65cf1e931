import { describe, expect, it } from 'vitest';
import {
  chooseInterpreter,
  noServerInterpreterMessage,
  parseVersion,
  pickServerInterpreter,
  ProbeResult,
  serverCandidates,
} from '../../src/interpreter';

describe('chooseInterpreter: the environment to check', () => {
  it('prefers the Python extension selection over every setting', () => {
    expect(
      chooseInterpreter({
        pythonExtension: '/p/.venv/bin/python',
        pinwiseInterpreter: '/other/python',
        defaultInterpreterPath: '/default/python',
      }),
    ).toEqual({ path: '/p/.venv/bin/python', source: 'python extension' });
  });

  it('uses pinwise.interpreter without the Python extension', () => {
    expect(chooseInterpreter({ pinwiseInterpreter: '/x/bin/python', defaultInterpreterPath: '/d/python' })).toEqual({
      path: '/x/bin/python',
      source: 'pinwise.interpreter',
    });
  });

  it('then python.defaultInterpreterPath, unless it is the bare default', () => {
    expect(chooseInterpreter({ defaultInterpreterPath: '/d/bin/python' })).toEqual({
      path: '/d/bin/python',
      source: 'python.defaultInterpreterPath',
    });
    expect(chooseInterpreter({ defaultInterpreterPath: 'python' })).toEqual({ source: 'discovery' });
    expect(chooseInterpreter({ pinwiseInterpreter: '', defaultInterpreterPath: '' })).toEqual({ source: 'discovery' });
  });

  it('leaves discovery to the server when nothing is set', () => {
    expect(chooseInterpreter({})).toEqual({ source: 'discovery' });
  });
});

describe('serverCandidates: the Python that runs the server', () => {
  it('orders setting, selected interpreter, python3, python', () => {
    expect(
      serverCandidates({ serverInterpreter: '/opt/py312/bin/python', selected: '/p/.venv/bin/python', trusted: true }),
    ).toEqual([
      { command: '/opt/py312/bin/python', source: 'pinwise.serverInterpreter' },
      { command: '/p/.venv/bin/python', source: 'selected interpreter' },
      { command: 'python3', source: 'PATH' },
      { command: 'python', source: 'PATH' },
    ]);
  });

  it('never runs the workspace interpreter in Restricted Mode', () => {
    const commands = serverCandidates({ selected: '/p/.venv/bin/python', trusted: false }).map((c) => c.command);
    expect(commands).toEqual(['python3', 'python']);
  });

  it('drops duplicates and empty values', () => {
    const commands = serverCandidates({ serverInterpreter: '', selected: 'python3', trusted: true }).map((c) => c.command);
    expect(commands).toEqual(['python3', 'python']);
  });
});

describe('pickServerInterpreter', () => {
  const probes: Record<string, ProbeResult> = {
    '/old/python': { version: [3, 8, 18], executable: '/old/python', error: "No module named 'pygls'" },
    '/broken/python': { error: 'not found' },
    '/noimport/python': { version: [3, 12, 1], error: "ModuleNotFoundError: No module named 'pinwise'" },
    python3: { version: [3, 11, 7], executable: '/usr/bin/python3.11' },
    python: { version: [3, 13, 0], executable: '/usr/bin/python' },
  };
  const probe = async (c: string) => probes[c] ?? { error: 'not found' };

  it('skips too old, missing and broken interpreters, and says why', async () => {
    const pick = await pickServerInterpreter(
      serverCandidates({ serverInterpreter: '/old/python', selected: '/broken/python', trusted: true }),
      probe,
    );
    expect(pick.chosen).toEqual({
      candidate: { command: 'python3', source: 'PATH' },
      version: [3, 11, 7],
      executable: '/usr/bin/python3.11',
    });
    expect(pick.tried.map((t) => t.reason)).toEqual(['Python 3.8.18 is older than 3.9', 'not found']);
  });

  it('skips an interpreter that cannot import the bundled server', async () => {
    const pick = await pickServerInterpreter(
      [{ command: '/noimport/python', source: 'selected interpreter' }, { command: 'python', source: 'PATH' }],
      probe,
    );
    expect(pick.chosen?.executable).toBe('/usr/bin/python');
    expect(pick.tried[0].reason).toContain("No module named 'pinwise'");
  });

  it('reports a probe that throws as a failed candidate', async () => {
    const pick = await pickServerInterpreter([{ command: 'x', source: 'PATH' }], async () => {
      throw new Error('spawn EACCES');
    });
    expect(pick.chosen).toBeUndefined();
    expect(pick.tried[0].reason).toBe('spawn EACCES');
  });

  it('gives a message with a fix when nothing works', async () => {
    const pick = await pickServerInterpreter(serverCandidates({ serverInterpreter: '/old/python', trusted: true }), async (c) =>
      c === '/old/python' ? probes['/old/python'] : { error: 'not found' },
    );
    expect(pick.chosen).toBeUndefined();
    const message = noServerInterpreterMessage(pick.tried);
    expect(message).toContain('Python 3.9 or newer');
    expect(message).toContain('/old/python (pinwise.serverInterpreter): Python 3.8.18 is older than 3.9');
    expect(message).toContain('python3 (PATH): not found');
    expect(message).toContain('pinwise.serverInterpreter');
    expect(message).toContain('Restart Server');
  });

  it('says the bundle is broken when every Python ran but none could import the server', () => {
    const message = noServerInterpreterMessage([
      { candidate: { command: 'python3', source: 'PATH' }, reason: "ModuleNotFoundError: No module named 'pygls'" },
    ]);
    expect(message).toContain('bundled libraries could not be imported');
    expect(message).toContain('reinstall the Pinwise extension');
    expect(message).not.toContain('3.9');
  });
});

describe('parseVersion', () => {
  it('reads the probe output', () => {
    expect(parseVersion('3.11.7\n/usr/bin/python3')).toEqual([3, 11, 7]);
    expect(parseVersion('Python 3')).toBeUndefined();
    expect(parseVersion('')).toBeUndefined();
  });
});
