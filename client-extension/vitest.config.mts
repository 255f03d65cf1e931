import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));

// Unit tests of the extension's pure logic (no `vscode` module: those files do not import it).
export default defineConfig({
  root: here,
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    reporters: ['default'],
  },
});
