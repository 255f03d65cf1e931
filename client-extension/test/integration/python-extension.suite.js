// Extension-host suite with the Python extension present (a stand-in for ms-python.python, from
// client-extension/test/fixtures/fake-python, since no gallery is reachable): the interpreter
// comes from its API per folder, its changes reach the server without a restart, and "Select
// Interpreter" hands over to its picker. The workspace's pinwise.interpreter points at .venv and
// the Python extension's selection at .venv-alt: the Python extension must win.
'use strict';
const vscode = require('vscode');
const path = require('node:path');
const { waitFor, codes, recorder } = require('./helpers');

async function run() {
  const folder = vscode.workspace.workspaceFolders[0].uri;
  const rec = recorder(folder);
  const check = rec.check;
  try {
    const uri = vscode.Uri.joinPath(folder, 'requirements.txt');
    const venvPython = path.join(folder.fsPath, '.venv', 'bin', 'python');
    const altPython = path.join(folder.fsPath, '.venv-alt', 'bin', 'python');
    const python = vscode.extensions.getExtension('ms-python.python');
    const status = () => vscode.commands.executeCommand('pinwise.statusView');

    await check('the Python extension is present and Pinwise activates', async () => {
      if (!python) throw new Error('ms-python.python is not installed');
      await vscode.extensions.getExtension('pinwise.pinwise').activate();
      if (!python.isActive) throw new Error('Pinwise did not activate the Python extension');
    });

    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);

    await check("the Python extension's selection wins over pinwise.interpreter", async () => {
      // .venv-alt satisfies every pin: only the unpinned line is reported.
      await waitFor('only PW001 (from .venv-alt)', () => {
        const c = codes(uri);
        return c.length === 1 && c[0] === 'PW001';
      });
      const s = await vscode.commands.executeCommand('pinwise.status', uri.toString());
      if (s.interpreter !== altPython) throw new Error(`server checks ${s.interpreter}`);
    });

    await check('a new selection in the Python extension reaches the server without a restart', async () => {
      const before = await status();
      python.exports.select(venvPython, folder);
      await waitFor('PW002 and PW003 from .venv', () => {
        const c = codes(uri);
        return c.includes('PW002') && c.includes('PW003');
      });
      const s = await vscode.commands.executeCommand('pinwise.status', uri.toString());
      if (s.interpreter !== venvPython) throw new Error(`server checks ${s.interpreter}`);
      const after = await status();
      if (after.starts !== before.starts) throw new Error(`the server restarted (${before.starts} -> ${after.starts})`);
      await waitFor('the status item on .venv', async () => /^\$\(warning\) \.venv \(3\./.test((await status()).view.text));
    });

    await check("Select Interpreter opens the Python extension's picker", async () => {
      const before = python.exports.calls.setInterpreter;
      await vscode.commands.executeCommand('pinwise.selectInterpreter');
      if (python.exports.calls.setInterpreter !== before + 1) throw new Error('python.setInterpreter was not called');
    });
  } catch (e) {
    rec.fail(e);
  }
  rec.save();
}

module.exports = { run };
