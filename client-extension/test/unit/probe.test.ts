// The probe runs real interpreters: the ones this machine has.
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pickServerInterpreter } from '../../src/interpreter';
import { probePython } from '../../src/probe';

const root = path.join(__dirname, '..', '..', '..');
const devPython = path.join(root, '.venv', 'bin', 'python');
const oldPython = ['3.8', '3.7', '3.6']
  .flatMap((v) => [`/usr/bin/python${v}`, ...fs.existsSync('/root/.pyenv/versions') ? fs.readdirSync('/root/.pyenv/versions').filter((d) => d.startsWith(`${v}.`)).map((d) => `/root/.pyenv/versions/${d}/bin/python3`) : []])
  .find((p) => fs.existsSync(p));
const env = { ...process.env, PYTHONPATH: path.join(root, 'server'), PYTHONNOUSERSITE: '1' };

describe('probePython', () => {
  it('reports a missing interpreter as not found', async () => {
    expect(await probePython('/nonexistent/bin/python', env, root)).toEqual({
      version: undefined,
      executable: undefined,
      error: 'not found',
    });
  });

  it.skipIf(!fs.existsSync(devPython))('accepts the dev venv, which can import the server', async () => {
    const result = await probePython(devPython, env, root);
    expect(result.error).toBeUndefined();
    expect(result.version?.[0]).toBe(3);
    expect(result.executable).toContain(path.join('.venv', 'bin', 'python'));
  });

  it.skipIf(!oldPython)('reads the version of a Python too old to import the server', async () => {
    const result = await probePython(oldPython!, env, root);
    expect(result.version?.[0]).toBe(3);
    expect(result.version![1]).toBeLessThan(9);
    const pick = await pickServerInterpreter([{ command: oldPython!, source: 'pinwise.serverInterpreter' }], (c) =>
      probePython(c, env, root),
    );
    expect(pick.chosen).toBeUndefined();
    expect(pick.tried[0].reason).toMatch(/^Python 3\.[0-8]\.\d+ is older than 3\.9$/);
  });

  it.skipIf(!fs.existsSync(devPython))('picks the first candidate that works', async () => {
    const pick = await pickServerInterpreter(
      [
        { command: '/nonexistent/bin/python', source: 'pinwise.serverInterpreter' },
        { command: devPython, source: 'selected interpreter' },
      ],
      (c) => probePython(c, env, root),
    );
    expect(pick.chosen?.candidate.source).toBe('selected interpreter');
    expect(pick.tried).toEqual([
      { candidate: { command: '/nonexistent/bin/python', source: 'pinwise.serverInterpreter' }, reason: 'not found' },
    ]);
  });
});
