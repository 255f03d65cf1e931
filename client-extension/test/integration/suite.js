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

    await check('a file outside every workspace folder shows its own folder\'s status', async () => {
      // the server judges it by the environment found from its own folder, never the workspace's
      const outside = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'pinwise-outside-'));
      const loose = vscode.Uri.file(path.join(outside, 'requirements.txt'));
      fs.writeFileSync(loose.fsPath, 'zz-pinwise-never-installed==1.0\n');
      try {
        await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(loose));
        // its own counts (the interpreter is the one the settings give: the workspace's here)
        await waitFor('the outside file\'s status', async () => {
          const s = await vscode.commands.executeCommand('pinwise.statusView');
          return s && s.view && /· 1 missing$/.test(s.view.text) && s;
        });
        await vscode.window.showTextDocument(doc);
        await waitFor('the workspace file\'s status again', async () => {
          const s = await vscode.commands.executeCommand('pinwise.statusView');
          return s && s.view && /^\$\(warning\) \.venv .*1 unpinned$/.test(s.view.text);
        });
      } finally {
        await vscode.window.showTextDocument(doc);
        fs.rmSync(outside, { recursive: true, force: true });
      }
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

    const statusView = () => vscode.commands.executeCommand('pinwise.statusView');

    await check('an interpreter that cannot be inspected is shown as such, not as global', async () => {
      const gone = path.join(folder.fsPath, 'deleted-venv', 'bin', 'python');
      try {
        await config().update('interpreter', gone, vscode.ConfigurationTarget.Workspace);
        const s = await waitFor('the status for the missing interpreter', async () => {
          const s = await statusView();
          return s.payload && s.payload.interpreter === gone && s.payload.error && s;
        });
        if (s.view.health !== 'unavailable' || !/cannot inspect/.test(s.view.text)) {
          throw new Error(`shown as ${s.view.text} (${s.view.health})`);
        }
      } finally {
        await config().update('interpreter', venvPython, vscode.ConfigurationTarget.Workspace);
      }
      await waitFor('the venv again', async () => {
        const s = await statusView();
        return s.payload && s.payload.interpreter === venvPython && s.payload.pythonVersion;
      });
    });

    await check('Pin All from the explorer on a file that is not open: shown, edited', async () => {
      const dev = vscode.Uri.joinPath(folder, 'requirements-dev.txt');
      fs.writeFileSync(dev.fsPath, '# tools\nalpha-lib\n');
      if (vscode.workspace.textDocuments.some((d) => d.uri.toString() === dev.toString())) {
        throw new Error('requirements-dev.txt is open already');
      }
      const result = await vscode.commands.executeCommand('pinwise.pinAll', dev, [dev]);
      if (!result || result.ok !== true) throw new Error(`result: ${JSON.stringify(result)}`);
      const shown = await waitFor('requirements-dev.txt in an editor', () =>
        vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === dev.toString()),
      );
      await waitFor('the pin', () => shown.document.getText() === '# tools\nalpha-lib==1.0\n');
      await shown.document.save();
    });

    await check('a crashing server is restarted, then shown as failed; a new interpreter brings it back', async () => {
      const { execFileSync } = require('node:child_process');
      const serverPids = () =>
        execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
          .split('\n')
          .filter((l) => /-m pinwise serve/.test(l))
          .map((l) => Number(l.trim().split(/\s+/)[0]));
      const kill = () => serverPids().forEach((pid) => process.kill(pid, 'SIGKILL'));
      kill();
      // vscode-languageclient restarts it: running again, and the crash is no longer the news
      const back = await waitFor('a restart after the crash', async () => {
        const s = await statusView();
        return s.running && serverPids().length > 0 && s;
      });
      if (back.failure) throw new Error(`still reports: ${back.failure}`);
      // after its fifth crash in three minutes the client gives up: the item must say so
      for (let i = 0; i < 4; i += 1) {
        await waitFor('a server to kill', () => serverPids().length > 0);
        kill();
        if (i < 3) await waitFor('restarted', async () => (await statusView()).running && serverPids().length > 0);
      }
      const dead = await waitFor('the failed state', async () => {
        const s = await statusView();
        return !s.running && s.view.health === 'failed' && s;
      });
      if (!/\$\(error\) Pinwise/.test(dead.view.text)) throw new Error(`text ${dead.view.text}`);
      try {
        await config().update('interpreter', altPython, vscode.ConfigurationTarget.Workspace);
        await waitFor('a server started again', async () => {
          const s = await statusView();
          return s.running && s.view.health !== 'failed';
        });
      } finally {
        await config().update('interpreter', venvPython, vscode.ConfigurationTarget.Workspace);
      }
      await waitFor('the server answering on the venv again', async () => {
        const status = await vscode.commands.executeCommand('pinwise.status', uri.toString());
        return status && status.interpreter === venvPython && status.pythonVersion;
      });
    });
  } catch (e) {
    rec.fail(e);
  }
  rec.save();
}

module.exports = { run };
