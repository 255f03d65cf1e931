import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  classifyChange,
  expandVariables,
  isUnsetDefaultInterpreterPath,
  normalizeIgnore,
  normalizeSeverity,
  normalizeTrace,
  resolveInterpreterSetting,
} from '../../src/settingsModel';

describe('normalizeSeverity', () => {
  it('keeps valid codes and levels, normalising case and the "info" alias', () => {
    expect(normalizeSeverity({ pw001: 'Error', PW011: 'off', PW009: 'info' })).toEqual({
      value: { PW001: 'error', PW011: 'off', PW009: 'information' },
      problems: [],
    });
  });

  it('drops and reports bad entries instead of sending them to the server', () => {
    const { value, problems } = normalizeSeverity({ PW001: 'loud', E501: 'error', PW002: 3 });
    expect(value).toEqual({});
    expect(problems).toHaveLength(3);
    expect(problems[0]).toContain('PW001');
    expect(problems[1]).toContain('"E501" is not a rule code');
  });

  it('accepts nothing, rejects a non-object', () => {
    expect(normalizeSeverity(undefined)).toEqual({ value: {}, problems: [] });
    expect(normalizeSeverity(['PW001']).problems).toHaveLength(1);
  });
});

describe('normalizeIgnore', () => {
  it('upper-cases, de-duplicates, drops non-codes', () => {
    const { value, problems } = normalizeIgnore(['pw011', 'PW011', ' PW016 ', 'nope']);
    expect(value).toEqual(['PW011', 'PW016']);
    expect(problems).toEqual(['pinwise.ignore: "nope" is not a rule code (PW001 to PW017)']);
  });

  it('drops codes the server does not know (it would reject the whole section)', () => {
    expect(normalizeIgnore(['PW017', 'PW018', 'PW000']).value).toEqual(['PW017']);
    expect(normalizeSeverity({ PW099: 'error' }).value).toEqual({});
  });

  it('accepts a comma-separated string', () => {
    expect(normalizeIgnore('PW001,PW002').value).toEqual(['PW001', 'PW002']);
  });
});

describe('interpreter paths from settings', () => {
  const ctx = {
    workspaceFolder: '/work/proj',
    folders: { api: '/work/api' },
    userHome: '/home/me',
    env: { PYENV_ROOT: '/opt/pyenv' },
  };

  it('expands the variables users write', () => {
    expect(expandVariables('${workspaceFolder}/.venv/bin/python', ctx)).toBe('/work/proj/.venv/bin/python');
    expect(expandVariables('${workspaceFolder:api}/venv/bin/python', ctx)).toBe('/work/api/venv/bin/python');
    expect(expandVariables('${userHome}/py/bin/python', ctx)).toBe('/home/me/py/bin/python');
    expect(expandVariables('${env:PYENV_ROOT}/shims/python', ctx)).toBe('/opt/pyenv/shims/python');
    expect(expandVariables('~/venvs/x/bin/python', ctx)).toBe('/home/me/venvs/x/bin/python');
    expect(expandVariables('${unknown}/python', ctx)).toBe('${unknown}/python');
  });

  it('makes relative paths absolute against the folder, keeps bare commands', () => {
    expect(resolveInterpreterSetting('.venv/bin/python', ctx)).toBe('/work/proj/.venv/bin/python');
    expect(resolveInterpreterSetting('python3.12', ctx)).toBe('python3.12');
    expect(resolveInterpreterSetting('  ', ctx)).toBe('');
    expect(resolveInterpreterSetting(42, ctx)).toBe('');
  });

  it('treats the bare python.defaultInterpreterPath default as unset', () => {
    expect(isUnsetDefaultInterpreterPath('python')).toBe(true);
    expect(isUnsetDefaultInterpreterPath('')).toBe(true);
    expect(isUnsetDefaultInterpreterPath('/usr/bin/python3')).toBe(false);
  });
});

describe('classifyChange: restart or notify', () => {
  const affects = (...changed: string[]) => (section: string) =>
    changed.some((c) => c === section || c.startsWith(`${section}.`));

  it('restarts only for the server interpreter', () => {
    expect(classifyChange(affects('pinwise.serverInterpreter'))).toBe('restart');
  });

  it('sends a configuration change for the interpreter and rule settings', () => {
    expect(classifyChange(affects('pinwise.interpreter'))).toBe('notify');
    expect(classifyChange(affects('pinwise.severity'))).toBe('notify');
    expect(classifyChange(affects('pinwise.ignore'))).toBe('notify');
    expect(classifyChange(affects('python.defaultInterpreterPath'))).toBe('notify');
  });

  it('ignores unrelated settings and the live ones handled by the client', () => {
    expect(classifyChange(affects('editor.fontSize'))).toBe('none');
    expect(classifyChange(affects('pinwise.trace.server'))).toBe('none');
    expect(classifyChange(affects('pinwise.statusBar.alwaysVisible'))).toBe('none');
  });

  it('normalizes the trace level', () => {
    expect(normalizeTrace('verbose')).toBe('verbose');
    expect(normalizeTrace('loud')).toBe('off');
  });
});

describe('the manifest agrees with the code', () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', '..', 'package.json'), 'utf8'));
  const props = manifest.contributes.configuration.properties;

  it('declares every setting of issue 4 with a description and a default', () => {
    for (const key of [
      'pinwise.interpreter',
      'pinwise.serverInterpreter',
      'pinwise.severity',
      'pinwise.ignore',
      'pinwise.statusBar.alwaysVisible',
      'pinwise.trace.server',
    ]) {
      expect(props[key], key).toBeDefined();
      expect(props[key].markdownDescription ?? props[key].description, key).toBeTruthy();
      expect(props[key].default, key).not.toBeUndefined();
    }
  });

  it('restricts the server interpreter in untrusted workspaces', () => {
    expect(manifest.capabilities.untrustedWorkspaces.supported).toBe('limited');
    expect(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations).toContain('pinwise.serverInterpreter');
  });

  it('contributes a command for each server command', async () => {
    const { SERVER_COMMANDS } = await import('../../src/commandArgs');
    const contributed = manifest.contributes.commands.map((c: { command: string }) => c.command);
    for (const c of [...SERVER_COMMANDS, 'pinwise.restart', 'pinwise.showLog', 'pinwise.selectInterpreter', 'pinwise.showActions']) {
      expect(contributed).toContain(c);
    }
  });

  it('associates the contract file patterns with pip-requirements', () => {
    const lang = manifest.contributes.languages.find((l: { id: string }) => l.id === 'pip-requirements');
    expect(lang.filenamePatterns).toEqual(
      expect.arrayContaining(['requirements*.txt', '*requirements*.txt', '**/requirements/*.txt', 'constraints*.txt', '*.in']),
    );
  });
});
