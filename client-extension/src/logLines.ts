// Sorting the server's output into the LogOutputChannel's levels (no `vscode` import).
// The language client writes the server's `window/logMessage` as "[Error - 10:00:00 AM] text"
// lines and the server's stderr as raw text; the server also logs every record to stderr as
// "pinwise LEVEL logger: text", which would show each message twice.

export type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';

export interface LogLine {
  level: Level;
  text: string;
}

const CLIENT_PREFIX = /^\[(Error|Warn|Info|Debug|Log|Trace)\s*-\s*[^\]]*\]\s?/;
const CLIENT_LEVELS: Record<string, Level> = {
  Error: 'error',
  Warn: 'warn',
  Info: 'info',
  Debug: 'debug',
  Log: 'info',
  Trace: 'info', // the protocol trace, asked for with pinwise.trace.server: always shown
};

/** A line the language client logs (`appendLine`): its level from the prefix, the prefix dropped. */
export function clientLine(line: string): LogLine {
  const m = CLIENT_PREFIX.exec(line);
  if (!m) {
    return { level: 'info', text: line };
  }
  const text = line.slice(m[0].length);
  // The client reports every exit as an error, a clean stop (restart, reload) included.
  if (/^Server process exited with code 0\.?$/.test(text)) {
    return { level: 'info', text };
  }
  return { level: CLIENT_LEVELS[m[1]] ?? 'info', text };
}

const SERVER_RECORD = /^pinwise (DEBUG|INFO|WARNING|ERROR|CRITICAL) /;

/**
 * A line of the server's stderr. The server's own log records also reach the client as
 * `window/logMessage`, so they are kept at trace level only; anything else on stderr (a traceback
 * before the connection is up, a warning from Python) is shown as an error.
 */
export function stderrLine(line: string): LogLine | undefined {
  const text = line.replace(/\s+$/, '');
  if (!text) {
    return undefined;
  }
  if (SERVER_RECORD.test(text)) {
    return { level: 'trace', text: `[stderr] ${text}` };
  }
  return { level: 'error', text: `[server stderr] ${text}` };
}

/** Splits streamed text into complete lines, keeping the unfinished tail for the next chunk. */
export class LineBuffer {
  private pending = '';

  push(chunk: string): string[] {
    this.pending += chunk;
    const parts = this.pending.split(/\r?\n/);
    this.pending = parts.pop() ?? '';
    return parts;
  }
}
