// Builds dist/pinwise-<version>.vsix with @vscode/vsce, offline: the extension bundle (vsce runs
// `vscode:prepublish`, i.e. `npm run build`) and bundled/ (run `npm run bundle:python` first;
// `npm run package` does both).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
if (!fs.existsSync(path.join(root, 'bundled', 'libs', 'pinwise', '__init__.py'))) {
  console.error('bundled/libs is missing the server: run `npm run bundle:python` first');
  process.exit(2);
}
// Byte-code caches (from probing or running the server out of bundled/) never go into the VSIX.
function dropCaches(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === '__pycache__') fs.rmSync(full, { recursive: true, force: true });
      else dropCaches(full);
    } else if (entry.name.endsWith('.pyc')) {
      fs.rmSync(full, { force: true });
    }
  }
}
dropCaches(path.join(root, 'bundled'));
const out = path.join(root, 'dist', `${manifest.name}-${manifest.version}.vsix`);
fs.mkdirSync(path.dirname(out), { recursive: true });
const vsce = path.join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
execFileSync(
  process.execPath,
  [
    vsce,
    'package',
    '--no-dependencies',
    '--allow-missing-repository',
    '--readme-path',
    'client-extension/README.md',
    '--changelog-path',
    'CHANGELOG.md',
    '--out',
    out,
  ],
  { cwd: root, stdio: 'inherit' },
);
console.log(`built ${path.relative(root, out)}`);
