// The TextMate grammar, tokenized by the same engine VS Code uses (vscode-textmate + oniguruma).
import { beforeAll, describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const root = path.join(__dirname, '..', '..');
let grammar: textmate.IGrammar;

beforeAll(async () => {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength));
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async () =>
      textmate.parseRawGrammar(
        fs.readFileSync(path.join(root, 'syntaxes', 'pip-requirements.tmLanguage.json'), 'utf8'),
        'pip-requirements.tmLanguage.json',
      ),
  });
  const loaded = await registry.loadGrammar('source.pip-requirements');
  if (!loaded) throw new Error('grammar did not load');
  grammar = loaded;
});

/** [text, innermost scope] for each token of one line. */
function tokens(line: string): [string, string][] {
  const result = grammar.tokenizeLine(line, textmate.INITIAL);
  return result.tokens.map((t) => [line.slice(t.startIndex, t.endIndex), t.scopes[t.scopes.length - 1]]);
}

function scopeOf(line: string, text: string): string | undefined {
  return tokens(line).find(([t]) => t === text)?.[1];
}

describe('pip-requirements grammar', () => {
  it('names, extras, specifiers, versions', () => {
    const line = 'requests[socks,security]>=2.31,<3';
    expect(scopeOf(line, 'requests')).toBe('entity.name.type.package.pip-requirements');
    expect(scopeOf(line, 'socks,security')).toBe('variable.parameter.extras.pip-requirements');
    expect(scopeOf(line, '>=')).toBe('keyword.operator.comparison.pip-requirements');
    expect(scopeOf(line, '2.31')).toBe('constant.numeric.version.pip-requirements');
    expect(scopeOf(line, '3')).toBe('constant.numeric.version.pip-requirements');
  });

  it('markers after ;', () => {
    const line = 'tomli==2.0.1 ; python_version < "3.11" and sys_platform != \'win32\'';
    expect(scopeOf(line, 'python_version')).toBe('variable.language.marker.pip-requirements');
    expect(scopeOf(line, 'and')).toBe('keyword.operator.logical.pip-requirements');
    expect(scopeOf(line, '"3.11"')).toBe('string.quoted.double.pip-requirements');
    expect(scopeOf(line, "'win32'")).toBe('string.quoted.single.pip-requirements');
  });

  it('comments, and the pinwise suppression inside them', () => {
    const line = 'flask  # pinwise: ignore[PW001]';
    expect(scopeOf(line, 'flask')).toBe('entity.name.type.package.pip-requirements');
    expect(scopeOf(line, 'pinwise')).toBe('keyword.other.pinwise.pip-requirements');
    expect(scopeOf(line, 'PW001')).toBe('constant.other.rule-code.pip-requirements');
    expect(tokens('# just a comment')[1][1]).toBe('comment.line.number-sign.pip-requirements');
  });

  it('a # inside a URL is not a comment', () => {
    const line = 'git+https://example.com/repo.git@abc123#egg=pkg';
    expect(tokens(line).map(([, s]) => s)).not.toContain('comment.line.number-sign.pip-requirements');
    expect(scopeOf(line, line)).toBe('markup.underline.link.pip-requirements');
  });

  it('options with values, hashes, environment variables', () => {
    const opt = '-r ${PROJ_DIR}/base.txt';
    expect(scopeOf(opt, '-r')).toBe('keyword.other.option.pip-requirements');
    expect(scopeOf(opt, 'PROJ_DIR')).toBe('variable.other.environment.name.pip-requirements');
    const idx = '--index-url https://pypi.org/simple';
    expect(scopeOf(idx, '--index-url')).toBe('keyword.other.option.pip-requirements');
    expect(scopeOf(idx, 'https://pypi.org/simple')).toBe('markup.underline.link.pip-requirements');
    const hashed = '    --hash=sha256:0123abcd';
    expect(scopeOf(hashed, 'sha256')).toBe('support.type.hash-algorithm.pip-requirements');
    expect(scopeOf(hashed, '0123abcd')).toBe('constant.other.hash.pip-requirements');
  });

  it('name @ url and line continuations', () => {
    const line = 'pkg @ https://example.com/pkg-1.0.tar.gz \\';
    expect(scopeOf(line, 'pkg')).toBe('entity.name.type.package.pip-requirements');
    expect(scopeOf(line, '@')).toBe('keyword.operator.url.pip-requirements');
    expect(scopeOf(line, 'https://example.com/pkg-1.0.tar.gz')).toBe('markup.underline.link.pip-requirements');
    expect(scopeOf(line, '\\')).toBe('constant.character.escape.line-continuation.pip-requirements');
  });
});

describe('language configuration', () => {
  it('toggles comments with #', () => {
    const conf = JSON.parse(fs.readFileSync(path.join(root, 'language-configuration.json'), 'utf8'));
    expect(conf.comments.lineComment).toBe('#');
  });
});
