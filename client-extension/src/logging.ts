// The `Pinwise` LogOutputChannel: the extension's own messages and, through the language client,
// the server's log (`window/logMessage`) and the protocol trace (`pinwise.trace.server`).
import * as vscode from 'vscode';
import { clientLine, LineBuffer, LogLine, stderrLine } from './logLines';

let channel: vscode.LogOutputChannel | undefined;

export function createLogChannel(): vscode.LogOutputChannel {
  channel ??= vscode.window.createOutputChannel('Pinwise', { log: true });
  return channel;
}

export function getLogChannel(): vscode.LogOutputChannel {
  return createLogChannel();
}

export function traceInfo(message: string): void {
  channel?.info(message);
}

export function traceWarn(message: string): void {
  channel?.warn(message);
}

export function traceError(message: string, error?: unknown): void {
  if (error === undefined) {
    channel?.error(message);
  } else {
    channel?.error(`${message}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  }
}

export function traceDebug(message: string): void {
  channel?.debug(message);
}

function write(log: vscode.LogOutputChannel, line: LogLine): void {
  switch (line.level) {
    case 'error':
      log.error(line.text);
      break;
    case 'warn':
      log.warn(line.text);
      break;
    case 'debug':
      log.debug(line.text);
      break;
    case 'trace':
      log.trace(line.text);
      break;
    default:
      log.info(line.text);
  }
}

/**
 * The channel handed to the language client: its "[Error - time]" lines go to the matching log
 * level, and the server's stderr (what the client `append`s) is sorted by `stderrLine`.
 */
export function serverLogChannel(log: vscode.LogOutputChannel): vscode.LogOutputChannel {
  const stderr = new LineBuffer();
  return new Proxy(log, {
    get(target, prop, receiver) {
      if (prop === 'append') {
        return (value: string) => {
          for (const raw of stderr.push(value)) {
            const line = stderrLine(raw);
            if (line) {
              write(target, line);
            }
          }
        };
      }
      if (prop === 'appendLine') {
        return (value: string) => write(target, clientLine(value));
      }
      const member = Reflect.get(target, prop, receiver);
      return typeof member === 'function' ? member.bind(target) : member;
    },
  });
}
