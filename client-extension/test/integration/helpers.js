// Shared by the extension-host suites: polling without fixed sleeps, Pinwise's diagnostics, and a
// check recorder that writes the result file the test script reads.
'use strict';
const vscode = require('vscode');
const fs = require('node:fs');
const path = require('node:path');

const TIMEOUT = 60000;

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `probe` until it returns a truthy value (or throws after `timeout` with `what`). */
async function waitFor(what, probe, timeout = TIMEOUT) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
    }
    await sleep(200);
  }
}

const codeOf = (d) => (typeof d.code === 'object' ? String(d.code.value) : String(d.code));

/** The sorted codes of Pinwise's diagnostics on a document. */
function codes(uri) {
  return vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'pinwise')
    .map(codeOf)
    .sort();
}

function diagnostic(uri, code) {
  return vscode.languages.getDiagnostics(uri).find((d) => codeOf(d) === code);
}

/** Records named checks; `save()` writes {checks, error} to $PINWISE_TEST_RESULT or the folder. */
function recorder(folder) {
  const checks = [];
  let error;
  return {
    async check(name, fn) {
      try {
        await fn();
        checks.push({ name, ok: true });
      } catch (e) {
        checks.push({ name, ok: false, why: e && e.message ? e.message : String(e) });
      }
    },
    fail(e) {
      error = e && e.stack ? e.stack : String(e);
    },
    save() {
      const file = process.env.PINWISE_TEST_RESULT || path.join(folder.fsPath, '.pinwise-test-result.json');
      fs.writeFileSync(file, JSON.stringify({ checks, error }, null, 2));
    },
  };
}

module.exports = { sleep, waitFor, codes, diagnostic, recorder };
