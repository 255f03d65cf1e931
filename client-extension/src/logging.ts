// The `Pinwise` LogOutputChannel: the extension's own messages and, through the language client,
// the server's log (`window/logMessage`) and the protocol trace (`pinwise.trace.server`).
import * as vscode from 'vscode';

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
