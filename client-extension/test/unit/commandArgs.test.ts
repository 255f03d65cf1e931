import { describe, expect, it } from 'vitest';
import { serverArguments } from '../../src/commandArgs';

// What VS Code hands a command from the explorer or the editor title: a vscode.Uri.
const uri = (s: string) => ({ scheme: 'file', fsPath: s.replace('file://', ''), toString: () => s });

describe('serverArguments', () => {
  const ctx = { activeRequirements: 'file:///w/requirements.txt', activeFolder: 'file:///w' };

  it('palette: the active requirements file for file commands', () => {
    expect(serverArguments('pinwise.installMissing', [], ctx)).toEqual(['file:///w/requirements.txt']);
    expect(serverArguments('pinwise.pinAll', [undefined], ctx)).toEqual(['file:///w/requirements.txt']);
  });

  it('palette: the folder for createVenv, nothing for refresh', () => {
    expect(serverArguments('pinwise.createVenv', [], ctx)).toEqual(['file:///w']);
    // status: the active file's (or folder's), not the first folder's
    expect(serverArguments('pinwise.status', [], ctx)).toEqual([ctx.activeRequirements ?? 'file:///w']);
    expect(serverArguments('pinwise.status', [], { activeFolder: 'file:///b' })).toEqual(['file:///b']);
    expect(serverArguments('pinwise.refresh', [], ctx)).toEqual([]);
    expect(serverArguments('pinwise.freeze', [], {})).toEqual([]);
  });

  it('explorer: the clicked file as a string, the selection list dropped', () => {
    const clicked = uri('file:///w/dev-requirements.txt');
    expect(serverArguments('pinwise.freeze', [clicked, [clicked]], ctx)).toEqual(['file:///w/dev-requirements.txt']);
  });

  it('code actions: JSON arguments pass through', () => {
    expect(serverArguments('pinwise.installMissing', [{ uri: 'file:///w/r.txt', names: ['a'] }], ctx)).toEqual([
      { uri: 'file:///w/r.txt', names: ['a'] },
    ]);
    expect(serverArguments('pinwise.status', ['file:///w/r.txt'], ctx)).toEqual(['file:///w/r.txt']);
  });
});
