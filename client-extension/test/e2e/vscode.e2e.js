// Real VS Code (code-server) in headless Chromium, driven by playwright-core: what a user sees.
//
// usage: MODE=trusted|restricted|integration PORT=8765 WORKSPACE_INFO=info.json \
//        ARTIFACTS=test-artifacts/vscode node client-extension/test/e2e/vscode.e2e.js
//   trusted      the installed VSIX in a trusted workspace: squiggles, Problems rows, status bar,
//                quick fix through Ctrl+., the status item's actions, a pip install seen live
//   restricted   the same workspace untrusted: static findings only, "Restricted" in the status
//                bar, no actions that run anything; trusting it lifts that without a reload
//   integration  the extension-host suite (suite.js) through code-server's `payload` route
//                (EXTENSION_ROOT, SUITE, RESULT must be set); reports the suite's own checks
// Each check prints "ok - name" or "not ok - name: why"; the last line is "N passed, M failed".
// Exit status 0 only when every check passed.
'use strict';
const { chromium } = require('playwright-core');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const MODE = process.env.MODE || 'trusted';
/** Names the artifacts and the summary line (two phases use the integration mode). */
const LABEL = process.env.LABEL || MODE;
const PORT = process.env.PORT || '8765';
const BASE = `http://127.0.0.1:${PORT}`;
const ARTIFACTS = path.resolve(process.env.ARTIFACTS || 'test-artifacts/vscode');
const info = JSON.parse(fs.readFileSync(process.env.WORKSPACE_INFO, 'utf8'));
const SLOW = Number(process.env.E2E_TIMEOUT_MS || 90000);

fs.mkdirSync(ARTIFACTS, { recursive: true });
const results = [];
let page;
let shot = 0;

function log(line) {
  process.stdout.write(`${line}\n`);
}

async function screenshot(name) {
  if (!page) return;
  shot += 1;
  const file = path.join(ARTIFACTS, `${LABEL}-${String(shot).padStart(2, '0')}-${name}.png`);
  try {
    await page.screenshot({ path: file });
  } catch (e) {
    log(`# screenshot ${name} failed: ${e.message.split('\n')[0]}`);
  }
}

/** Runs one check; a failure is recorded (with a screenshot) and the run goes on. */
async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    log(`ok - ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    return true;
  } catch (e) {
    const why = (e && e.message ? e.message : String(e)).split('\n').slice(0, 3).join(' | ');
    results.push({ name, ok: false, why });
    log(`not ok - ${name}: ${why}`);
    await screenshot(`FAILED-${name.replace(/[^a-z0-9]+/gi, '-').slice(0, 40)}`);
    return false;
  }
}

function assert(cond, message) {
  if (!cond) throw new Error(message);
}

const problemRows = () => page.locator('.markers-panel .monaco-list-row');
const statusItem = () => page.locator('.statusbar-item', { hasText: /\.venv|Pinwise/ }).first();

async function problemsText() {
  return (await problemRows().allInnerTexts()).map((t) => t.replace(/\s+/g, ' ')).join('\n');
}

/** Waits until the Problems panel's text satisfies `predicate` (called in the page). */
async function waitForProblems(predicateSource, arg, timeout = SLOW) {
  await page.waitForFunction(
    ({ src, arg }) => {
      const text = [...document.querySelectorAll('.markers-panel .monaco-list-row')]
        .map((r) => r.innerText.replace(/\s+/g, ' '))
        .join('\n');
      return new Function('text', 'arg', src)(text, arg);
    },
    { src: predicateSource, arg },
    { timeout, polling: 250 },
  );
}

async function waitForStatus(predicateSource, arg, timeout = SLOW) {
  await page.waitForFunction(
    ({ src, arg }) => {
      const text = [...document.querySelectorAll('.statusbar-item')].map((r) => r.innerText).join(' | ');
      return new Function('text', 'arg', src)(text, arg);
    },
    { src: predicateSource, arg },
    { timeout, polling: 250 },
  );
}

async function editorText() {
  return page.locator('.monaco-editor .view-lines').first().innerText();
}

async function openRequirements() {
  await page.goto(`${BASE}/?folder=${encodeURIComponent(info.workspace)}`);
  const row = page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'requirements.txt' });
  await row.first().click({ timeout: SLOW });
  await page.locator('.monaco-editor .view-line', { hasText: 'alpha-lib' }).first().waitFor({ timeout: SLOW });
}

/** Puts the cursor at the start of a 1-based line of the active editor. */
async function gotoLine(line) {
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('Control+Home');
  for (let i = 1; i < line; i += 1) {
    await page.keyboard.press('ArrowDown');
  }
  await page.keyboard.press('Home');
}

/** Opens the quick fix menu (Ctrl+.) on a line and returns its entries' texts. */
async function quickFixes(line) {
  await gotoLine(line);
  await page.keyboard.press('Control+.');
  const rows = page.locator('.action-widget .monaco-list-row');
  await rows.first().waitFor({ timeout: 30000 });
  return (await rows.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
}

/** In the open quick fix menu, moves the focus to the entry starting with `title` and accepts it,
 * as a keyboard user does. */
async function chooseFix(title) {
  const focused = page.locator('.action-widget .monaco-list-row.focused');
  for (let i = 0; i < 20; i += 1) {
    const text = (await focused.first().innerText({ timeout: 5000 })).replace(/\s+/g, ' ').trim();
    if (text.startsWith(title)) {
      await page.keyboard.press('Enter');
      return;
    }
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`no quick fix starting with "${title}"`);
}

async function openProblems() {
  await page.keyboard.press('Control+Shift+M');
  await problemRows().first().waitFor({ timeout: SLOW });
}

async function trustedMode() {
  await check('workbench opens the requirements file', openRequirements);
  await check('squiggles on the requirements file', async () => {
    await page.waitForSelector('.monaco-editor .squiggly-warning', { timeout: SLOW });
  });
  await check('Problems rows with PW001, PW002, PW003', async () => {
    await openProblems();
    await waitForProblems(
      "return ['PW001', 'PW002', 'PW003'].every((c) => text.includes(c)) && text.includes('pinwise');",
    );
    const text = await problemsText();
    assert(/alpha-lib is not pinned/.test(text), `no PW001 message in:\n${text}`);
    assert(/gamma-lib is not installed/.test(text), `no PW002 message in:\n${text}`);
  });
  await screenshot('diagnostics');
  await check('status bar: env name, version and counts', async () => {
    await waitForStatus("return /\\.venv \\(3\\.\\d+\\.\\d+\\)/.test(text) && /1 missing/.test(text) && /1 unpinned/.test(text) && /1 mismatched/.test(text);");
    log(`# status: ${(await statusItem().innerText()).replace(/\s+/g, ' ')}`);
  });
  await check('status item tooltip: interpreter path and counts per rule', async () => {
    await statusItem().hover();
    const hover = page.locator('.monaco-hover, .workbench-hover', { hasText: 'Interpreter' }).first();
    await hover.waitFor({ timeout: 15000 });
    const text = await hover.innerText();
    assert(text.includes(info.python), `tooltip lacks ${info.python}: ${text}`);
    assert(/PW001/.test(text) && /unpinned/.test(text), `tooltip lacks the counts: ${text}`);
    await screenshot('status-tooltip');
    await page.mouse.move(700, 300);
  });
  await check('clicking the status item offers the actions', async () => {
    await statusItem().click();
    const rows = page.locator('.quick-input-widget .monaco-list-row');
    await rows.first().waitFor({ timeout: 15000 });
    const text = (await rows.allInnerTexts()).join('\n');
    for (const want of ['Select Interpreter', 'Install Missing Requirements', 'Freeze Environment', 'Pin All', 'Create a Virtual Environment', 'Show Log', 'Restart Server']) {
      assert(text.includes(want), `no "${want}" in the quick pick:\n${text}`);
    }
    await screenshot('status-actions');
    await page.keyboard.press('Escape');
  });
  await check('editor title and explorer context menu carry the commands', async () => {
    const title = page.locator('.editor-actions .action-label');
    await title.first().waitFor({ timeout: 15000 });
    const labels = await title.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') || ''));
    for (const want of ['Freeze Environment into Requirements File', 'Install Missing Requirements']) {
      assert(labels.some((l) => l.includes(want)), `editor title: ${labels.join(' / ')}`);
    }
    await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'requirements.txt' }).first().click({ button: 'right' });
    const menu = page.locator('.monaco-menu .action-label');
    await menu.first().waitFor({ timeout: 15000 });
    const items = (await menu.allInnerTexts()).map((t) => t.trim());
    await screenshot('explorer-menu');
    await page.keyboard.press('Escape');
    for (const want of ['Install Missing Requirements', 'Freeze Environment into Requirements File', 'Pin All Unpinned Requirements']) {
      assert(items.includes(want), `explorer menu: ${items.join(' / ')}`);
    }
  });
  await check('Ctrl+. on a missing requirement offers to install it', async () => {
    const fixes = await quickFixes(4);
    assert(fixes.some((t) => t.startsWith('Install missing requirements')), `fixes: ${fixes.join(' / ')}`);
    await screenshot('quickfix-missing');
    await page.keyboard.press('Escape');
  });
  await check('Ctrl+. then "Pin to installed version" pins the line', async () => {
    const fixes = await quickFixes(2);
    assert(fixes.some((t) => t.startsWith('Pin to installed version')), `fixes: ${fixes.join(' / ')}`);
    await screenshot('quickfix-menu');
    await chooseFix('Pin to installed version');
    await page.waitForFunction(
      () => document.querySelector('.monaco-editor .view-lines')?.innerText.includes('alpha-lib==1.0'),
      undefined,
      { timeout: 30000 },
    );
    await page.keyboard.press('Control+S');
    const deadline = Date.now() + 30000;
    while (!fs.readFileSync(info.requirements, 'utf8').includes('alpha-lib==1.0')) {
      assert(Date.now() < deadline, `not saved: ${fs.readFileSync(info.requirements, 'utf8')}`);
      await page.waitForTimeout(200);
    }
    const lines = fs.readFileSync(info.requirements, 'utf8').split('\n');
    assert(lines[1] === 'alpha-lib==1.0', `line 2 is ${JSON.stringify(lines[1])}`);
    assert(lines[2] === 'beta-lib==1.0' && lines[3] === 'gamma-lib==1.5', 'other lines changed');
    await waitForProblems("return !text.includes('PW001') && text.includes('PW002');", undefined, 30000);
  });
  await screenshot('after-pin');
  await check('pip install into the venv clears PW002 without touching the file', async () => {
    const before = fs.readFileSync(info.requirements, 'utf8');
    const mtime = fs.statSync(info.requirements).mtimeMs;
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PIP_')));
    Object.assign(env, { PIP_CONFIG_FILE: '/dev/null', PIP_NO_INDEX: '1', PIP_DISABLE_PIP_VERSION_CHECK: '1' });
    execFileSync(info.python, ['-m', 'pip', 'install', '--quiet', '--no-deps', info.gammaWheel], { env, stdio: 'inherit' });
    await waitForProblems("return !text.includes('PW002') && text.includes('PW003');", undefined, 60000);
    await waitForStatus("return /\\.venv \\(3\\./.test(text) && !/missing/.test(text) && /1 mismatched/.test(text);", undefined, 30000);
    assert(fs.readFileSync(info.requirements, 'utf8') === before, 'the file changed');
    assert(fs.statSync(info.requirements).mtimeMs === mtime, 'the file was written');
  });
  await screenshot('after-install');
}

async function restrictedMode() {
  await check('workbench opens the requirements file (Restricted Mode)', openRequirements);
  await check('static findings: squiggles and Problems rows with PW001', async () => {
    await page.waitForSelector('.monaco-editor .squiggly-warning', { timeout: SLOW });
    await openProblems();
    await waitForProblems("return text.includes('PW001') && text.includes('pinwise');");
  });
  await screenshot('restricted-diagnostics');
  await check('status bar says Restricted', async () => {
    await waitForStatus("return /\\.venv.*Restricted/.test(text);");
    log(`# status: ${(await statusItem().innerText()).replace(/\s+/g, ' ')}`);
  });
  await check('no action that would run pip or the interpreter', async () => {
    const fixes = await quickFixes(4);
    assert(fixes.length > 0, 'no quick fixes at all');
    assert(!fixes.some((t) => t.startsWith('Install missing requirements')), `fixes: ${fixes.join(' / ')}`);
    await screenshot('restricted-quickfix');
    await page.keyboard.press('Escape');
  });
  await check("the workspace's interpreter was never started", async () => {
    const runs = process.env.INTERPRETER_RUNS;
    assert(runs, 'INTERPRETER_RUNS is not set');
    assert(!fs.existsSync(runs), `it ran: ${fs.existsSync(runs) ? fs.readFileSync(runs, 'utf8') : ''}`);
  });
  await check('Install Missing Requirements from the palette is refused, with the reason', async () => {
    const labels = await page.locator('.editor-actions .action-label').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') || ''));
    assert(!labels.some((l) => l.includes('Install Missing Requirements')), `editor title in Restricted Mode: ${labels.join(' / ')}`);
    // freezing reads the environment's files and runs nothing: it stays offered
    assert(labels.some((l) => l.includes('Freeze Environment')), `editor title in Restricted Mode: ${labels.join(' / ')}`);
    await page.keyboard.press('F1');
    await page.keyboard.type('Pinwise: Install Missing Requirements');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Install Missing Requirements' }).first().waitFor({ timeout: 15000 });
    await page.keyboard.press('Enter');
    const toast = page.locator('.notifications-toasts .notification-list-item', { hasText: /untrusted/i }).first();
    await toast.waitFor({ timeout: 30000 });
    log(`# refused: ${(await toast.innerText()).split('\n')[0]}`);
    await screenshot('restricted-refused');
  });
  await check('trusting the workspace lifts Restricted Mode without a reload', async () => {
    await page.keyboard.press('F1');
    await page.keyboard.type('Manage Workspace Trust');
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Manage Workspace Trust' }).first().waitFor({ timeout: 15000 });
    await page.keyboard.press('Enter');
    const trust = page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).first();
    await trust.click({ timeout: 20000 });
    await screenshot('trust-editor');
    // Back to the requirements file: the status item shows while one is active.
    await page.locator('.tabs-container .tab', { hasText: 'requirements.txt' }).first().click();
    await waitForStatus("return /\\.venv \\(3\\./.test(text) && !/Restricted/.test(text);", undefined, 60000);
    log(`# status: ${(await statusItem().innerText()).replace(/\s+/g, ' ')}`);
    const fixes = await quickFixes(4);
    assert(fixes.some((t) => t.startsWith('Install missing requirements')), `fixes after trust: ${fixes.join(' / ')}`);
    await page.keyboard.press('Escape');
    // Trusted now: the interpreter may run (which also shows the watch above can see it run).
    const runs = process.env.INTERPRETER_RUNS;
    const deadline = Date.now() + 30000;
    while (!fs.existsSync(runs)) {
      assert(Date.now() < deadline, 'the interpreter never ran after trusting the workspace');
      await page.waitForTimeout(200);
    }
    const starts = fs.readFileSync(runs, 'utf8').split('\n').filter((l) => /^\d+ \//.test(l));
    log(`# after trust, the interpreter ran ${starts.length} time(s): ${starts.map((l) => l.split(' ').slice(2, 4).join(' ')).join('; ')}`);
  });
  await screenshot('trusted-after-grant');
}

async function integrationMode() {
  const result = process.env.RESULT;
  const ext = process.env.EXTENSION_ROOT;
  const suite = process.env.SUITE;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', `vscode-remote://127.0.0.1:${PORT}${ext}`],
    ['extensionTestsPath', `vscode-remote://127.0.0.1:${PORT}${suite}`],
  ]);
  await page.goto(`${BASE}/?folder=${encodeURIComponent(info.workspace)}&payload=${encodeURIComponent(payload)}`);
  const deadline = Date.now() + Number(process.env.SUITE_TIMEOUT_MS || 240000);
  while (!fs.existsSync(result)) {
    if (Date.now() > deadline) {
      await screenshot('suite-timeout');
      results.push({ name: 'extension-host suite wrote its result', ok: false, why: `no ${result}` });
      log(`not ok - extension-host suite wrote its result: no ${result} after the timeout`);
      return;
    }
    await page.waitForTimeout(500);
  }
  await screenshot('suite-done');
  const report = JSON.parse(fs.readFileSync(result, 'utf8'));
  for (const r of report.checks) {
    results.push(r);
    log(r.ok ? `ok - [ext host] ${r.name}` : `not ok - [ext host] ${r.name}: ${r.why}`);
  }
  if (report.error) {
    results.push({ name: 'suite ran to the end', ok: false, why: report.error });
    log(`not ok - [ext host] suite ran to the end: ${report.error}`);
  }
}

(async () => {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const consoleLog = fs.createWriteStream(path.join(ARTIFACTS, `${LABEL}-browser-console.log`));
  page.on('console', (m) => consoleLog.write(`[${m.type()}] ${m.text()}\n`));
  page.on('pageerror', (e) => consoleLog.write(`[pageerror] ${e.message}\n`));
  try {
    if (MODE === 'trusted') await trustedMode();
    else if (MODE === 'restricted') await restrictedMode();
    else if (MODE === 'integration') await integrationMode();
    else throw new Error(`unknown MODE ${MODE}`);
  } catch (e) {
    results.push({ name: 'driver', ok: false, why: e.message });
    log(`not ok - driver: ${e.message.split('\n')[0]}`);
  }
  await screenshot('final');
  await browser.close();
  consoleLog.end();
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  log(`${LABEL}: ${passed} passed, ${failed} failed`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
})();
