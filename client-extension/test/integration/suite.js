// The extension-host integration suite: runs inside VS Code (code-server's `payload` route with
// extensionDevelopmentPath = the repository, extensionTestsPath = this file), with the real
// `vscode` API. It writes its result as JSON to $PINWISE_TEST_RESULT (or
// <workspace>/.pinwise-test-result.json): the browser does not report it back.
'use strict';
const vscode = require('vscode');
const fs = require('node:fs');
const path = require('node:path');

const { waitFor, codes, diagnostic, recorder } = require('./helpers');

async function run() {
  const folder = vscode.workspace.workspaceFolders[0].uri;
  const rec = recorder(folder);
  const check = rec.check;
  const config = () => vscode.workspace.getConfiguration('pinwise', folder);
  try {
    const uri = vscode.Uri.joinPath(folder, 'requirements.txt');
    const venvPython = path.join(folder.fsPath, '.venv', 'bin', 'python');
    const altPython = path.join(folder.fsPath, '.venv-alt', 'bin', 'python');

    await check('the extension activates and registers its commands', async () => {
      const ext = vscode.extensions.getExtension('pinwise.pinwise');
      if (!ext) throw new Error('pinwise.pinwise is not loaded');
      await ext.activate();
      const all = await vscode.commands.getCommands(true);
      for (const c of ['pinwise.installMissing', 'pinwise.freeze', 'pinwise.pinAll', 'pinwise.createVenv',
        'pinwise.refresh', 'pinwise.status', 'pinwise.restart', 'pinwise.showLog', 'pinwise.selectInterpreter']) {
        if (!all.includes(c)) throw new Error(`command ${c} missing`);
      }
    });

    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);

    await check('requirements.txt is a pip-requirements document', async () => {
      if (doc.languageId !== 'pip-requirements') throw new Error(`language is ${doc.languageId}`);
    });

    await check('diagnostics PW001, PW002, PW003 from the selected .venv', async () => {
      await waitFor('the three diagnostics', () => {
        const c = codes(uri);
        return ['PW001', 'PW002', 'PW003'].every((x) => c.includes(x)) && c;
      });
      const d = diagnostic(uri, 'PW001');
      if (d.range.start.line !== 1) throw new Error(`PW001 on line ${d.range.start.line + 1}`);
    });

    await check('pinwise.status answers with the interpreter and counts', async () => {
      const status = await vscode.commands.executeCommand('pinwise.status', uri.toString());
      if (!status || status.interpreter !== venvPython) throw new Error(`status: ${JSON.stringify(status)}`);
      if (!/^3\.\d+\.\d+$/.test(status.pythonVersion)) throw new Error(`version: ${status.pythonVersion}`);
      if (status.isVenv !== true || status.envName !== '.venv') throw new Error(`env: ${JSON.stringify(status)}`);
      if (status.counts.PW002 !== 1) throw new Error(`counts: ${JSON.stringify(status.counts)}`);
    });

    await check('the status item shows env, version and counts', async () => {
      const state = await waitFor('the status view', async () => {
        const s = await vscode.commands.executeCommand('pinwise.statusView');
        return s && s.view && /1 missing/.test(s.view.text) && s;
      });
      if (!/^\$\(warning\) \.venv \(3\.\d+\.\d+\) · 1 missing, 1 mismatched, 1 unpinned$/.test(state.view.text)) {
        throw new Error(`text: ${state.view.text}`);
      }
      if (!state.view.tooltip.includes(venvPython)) throw new Error('tooltip lacks the interpreter path');
    });

    await check('pinwise.severity reaches the server without a restart', async () => {
      try {
        await config().update('severity', { PW003: 'error' }, vscode.ConfigurationTarget.Workspace);
        await waitFor('PW003 as an error', () => diagnostic(uri, 'PW003')?.severity === vscode.DiagnosticSeverity.Error);
      } finally {
        await config().update('severity', undefined, vscode.ConfigurationTarget.Workspace);
      }
      await waitFor('PW003 back to a warning', () => diagnostic(uri, 'PW003')?.severity === vscode.DiagnosticSeverity.Warning);
    });

    await check('pinwise.ignore drops a code', async () => {
      try {
        await config().update('ignore', ['PW002'], vscode.ConfigurationTarget.Workspace);
        await waitFor('PW002 gone', () => !codes(uri).includes('PW002') && codes(uri).includes('PW001'));
      } finally {
        await config().update('ignore', undefined, vscode.ConfigurationTarget.Workspace);
      }
      await waitFor('PW002 back', () => codes(uri).includes('PW002'));
    });

    await check('an interpreter change reaches the server without a restart', async () => {
      try {
        await config().update('interpreter', altPython, vscode.ConfigurationTarget.Workspace);
        // .venv-alt has everything at the pinned versions: only the unpinned line is left.
        await waitFor('only PW001 left', () => {
          const c = codes(uri);
          return c.length === 1 && c[0] === 'PW001';
        });
        const status = await vscode.commands.executeCommand('pinwise.status', uri.toString());
        if (status.interpreter !== altPython) throw new Error(`status interpreter ${status.interpreter}`);
      } finally {
        await config().update('interpreter', venvPython, vscode.ConfigurationTarget.Workspace);
      }
      await waitFor('PW002 back with .venv', () => codes(uri).includes('PW002'));
    });

    await check('pinwise.pinAll pins the unpinned requirement in the document', async () => {
      await vscode.commands.executeCommand('pinwise.pinAll', uri);
      await waitFor('alpha-lib==1.0 in the document', () => doc.getText().includes('alpha-lib==1.0'));
      await waitFor('PW001 gone', () => !codes(uri).includes('PW001'));
      if (!doc.getText().includes('beta-lib==1.0')) throw new Error('pinAll changed a pinned line');
      await doc.save();
    });

    await check('pinwise.restart brings the diagnostics back', async () => {
      await vscode.commands.executeCommand('pinwise.restart');
      const s = await vscode.commands.executeCommand('pinwise.statusView');
      if (!s.running) throw new Error(`not running after restart: ${s.failure}`);
      await waitFor('PW002 after the restart', () => codes(uri).includes('PW002'));
    });

    await check('changing pinwise.serverInterpreter restarts the server once; a bad one is skipped', async () => {
      const before = await vscode.commands.executeCommand('pinwise.statusView');
      const status = () => vscode.commands.executeCommand('pinwise.statusView');
      let after;
      try {
        // Two changes in a burst: one restart (debounced).
        await config().update('serverInterpreter', '/nonexistent/python', vscode.ConfigurationTarget.Workspace);
        await config().update('serverInterpreter', path.join(folder.fsPath, 'missing', 'python'), vscode.ConfigurationTarget.Workspace);
        after = await waitFor('a restart', async () => {
          const s = await status();
          return s.starts > before.starts && s.running && s;
        });
        await waitFor('diagnostics after the restart', () => codes(uri).includes('PW002'));
      } finally {
        await config().update('serverInterpreter', undefined, vscode.ConfigurationTarget.Workspace);
      }
      // Resetting the setting restarts it once more; the starts are serialized, so a second
      // restart from the burst would have happened before this one.
      const last = await waitFor('the restart after the reset', async () => {
        const s = await status();
        return s.starts >= before.starts + 2 && s.running && s;
      });
      if (last.starts !== before.starts + 2) throw new Error(`${last.starts - before.starts} restarts for 2 bursts`);
      if (!after.serverPython || after.serverPython.includes('missing')) throw new Error(`server on ${after.serverPython}`);
      await waitFor('diagnostics again', () => codes(uri).includes('PW002'));
    });

    const py39 = process.env.PINWISE_TEST_PY39;
    if (py39) {
      await check('the bundled server runs on Python 3.9 (pinwise.serverInterpreter)', async () => {
        const status = () => vscode.commands.executeCommand('pinwise.statusView');
        const before = await status();
        try {
          await config().update('serverInterpreter', py39, vscode.ConfigurationTarget.Workspace);
          const after = await waitFor('a restart on 3.9', async () => {
            const s = await status();
            return s.starts > before.starts && s.running && s;
          });
          if (after.serverPython !== py39) throw new Error(`server on ${after.serverPython}`);
          await waitFor('diagnostics from the 3.9 server', () => codes(uri).includes('PW002'));
        } finally {
          await config().update('serverInterpreter', undefined, vscode.ConfigurationTarget.Workspace);
        }
        await waitFor('back on the default', async () => {
          const s = await status();
          return s.starts > before.starts + 1 && s.running;
        });
      });
    }

    await check('pinwise.refresh answers', async () => {
      const r = await vscode.commands.executeCommand('pinwise.refresh');
      if (r && r.ok === false) throw new Error(r.message);
    });

    await check('pinwise.installMissing runs pip in the venv, and the diagnostics follow', async () => {
      // A second requirements file that tells pip where the test's wheels are (offline).
      const local = vscode.Uri.joinPath(folder, 'requirements-local.txt');
      const wheels = path.join(folder.fsPath, 'wheels');
      fs.writeFileSync(local.fsPath, `--no-index\n--find-links ${wheels}\ngamma-lib==1.5\n`);
      const localDoc = await vscode.workspace.openTextDocument(local);
      await vscode.window.showTextDocument(localDoc);
      await waitFor('PW002 on requirements-local.txt', () => codes(local).includes('PW002'));
      const result = await vscode.commands.executeCommand('pinwise.installMissing', local);
      if (!result || result.ok !== true) throw new Error(`result: ${JSON.stringify(result)}`);
      await waitFor('PW002 gone from both files', () => !codes(local).includes('PW002') && !codes(uri).includes('PW002'));
    });

    await check('pinwise.freeze merges the environment into the file', async () => {
      await vscode.window.showTextDocument(doc);
      const result = await vscode.commands.executeCommand('pinwise.freeze', uri);
      if (result && result.ok === false) throw new Error(`result: ${JSON.stringify(result)}`);
      await waitFor('beta-lib==2.0 in the document', () => doc.getText().includes('beta-lib==2.0'));
      await waitFor('no PW003 left', () => !codes(uri).includes('PW003'));
    });
  } catch (e) {
    rec.fail(e);
  }
  rec.save();
}

module.exports = { run };
