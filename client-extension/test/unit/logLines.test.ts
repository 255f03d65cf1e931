import { describe, expect, it } from 'vitest';
import { clientLine, LineBuffer, stderrLine } from '../../src/logLines';

describe('log lines', () => {
  it('maps the language client prefixes to levels and drops them', () => {
    expect(clientLine('[Error - 10:00:01 AM] boom')).toEqual({ level: 'error', text: 'boom' });
    expect(clientLine('[Warn  - 10:00:01 AM] careful')).toEqual({ level: 'warn', text: 'careful' });
    expect(clientLine('[Info  - 10:00:01 AM] hello')).toEqual({ level: 'info', text: 'hello' });
    expect(clientLine("[Trace - 10:00:01 AM] Sending request 'initialize - (0)'.")).toEqual({
      level: 'info',
      text: "Sending request 'initialize - (0)'.",
    });
    expect(clientLine('[Error - 10:00:01 AM] Server process exited with code 0.').level).toBe('info');
    expect(clientLine('[Error - 10:00:01 AM] Server process exited with code 1.').level).toBe('error');
    expect(clientLine('{"params": 1}')).toEqual({ level: 'info', text: '{"params": 1}' });
  });

  it('keeps the server records that also come as logMessage at trace level, shows the rest', () => {
    expect(stderrLine('pinwise INFO pinwise.lsp.server: started')?.level).toBe('trace');
    expect(stderrLine('Traceback (most recent call last):')).toEqual({
      level: 'error',
      text: '[server stderr] Traceback (most recent call last):',
    });
    expect(stderrLine('   ')).toBeUndefined();
  });

  it('buffers partial lines', () => {
    const b = new LineBuffer();
    expect(b.push('one\ntw')).toEqual(['one']);
    expect(b.push('o\r\nthree')).toEqual(['two']);
    expect(b.push('\n')).toEqual(['three']);
  });
});
