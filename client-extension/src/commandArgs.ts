// The extension's commands all delegate to the server's `workspace/executeCommand`. This file turns
// what VS Code hands a command (an explorer Uri, an editor title Uri, nothing from the palette,
// JSON from a code action) into the server's arguments. No `vscode` import.

/** The server's commands (the contract); the extension registers one command for each. */
export const SERVER_COMMANDS = [
  'pinwise.installMissing',
  'pinwise.freeze',
  'pinwise.pinAll',
  'pinwise.createVenv',
  'pinwise.refresh',
  'pinwise.status',
] as const;
export type ServerCommand = (typeof SERVER_COMMANDS)[number];

/** Commands that act on one requirements file. */
export const FILE_COMMANDS: ReadonlySet<string> = new Set([
  'pinwise.installMissing',
  'pinwise.freeze',
  'pinwise.pinAll',
]);

/** Commands that edit the requirements file they are given. */
export const EDITING_COMMANDS: ReadonlySet<string> = new Set(['pinwise.freeze', 'pinwise.pinAll']);

/** Commands that run the interpreter or pip, so they show progress with a cancel button. */
export const LONG_COMMANDS: Record<string, string> = {
  'pinwise.installMissing': 'Installing missing requirements',
  'pinwise.createVenv': 'Creating a virtual environment',
  'pinwise.freeze': 'Freezing the environment',
};

/** Something that looks like a vscode.Uri. */
interface UriLike {
  scheme: string;
  toString(): string;
}

export function isUriLike(value: unknown): value is UriLike {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as UriLike).scheme === 'string' &&
    typeof (value as { fsPath?: unknown }).fsPath === 'string'
  );
}

export interface ArgContext {
  /** URI of the active editor's document when it is a requirements file. */
  activeRequirements?: string;
  /** URI of the workspace folder of the active editor (or the first folder). */
  activeFolder?: string;
}

/**
 * The server's arguments for a command invoked with VS Code's `args`:
 * - a Uri (explorer or editor title; the explorer adds the list of selected Uris) becomes its
 *   string form, the selection dropped;
 * - no arguments (palette) become the active requirements file for file commands, the active
 *   folder for `createVenv`, nothing otherwise;
 * - anything else (a code action's JSON arguments) passes through unchanged.
 */
export function serverArguments(command: string, args: unknown[], ctx: ArgContext): unknown[] {
  const meaningful = args.filter((a) => a !== undefined);
  if (meaningful.length === 0) {
    if (FILE_COMMANDS.has(command) && ctx.activeRequirements) {
      return [ctx.activeRequirements];
    }
    if (command === 'pinwise.createVenv' && ctx.activeFolder) {
      return [ctx.activeFolder];
    }
    if (command === 'pinwise.status' && (ctx.activeRequirements ?? ctx.activeFolder)) {
      return [ctx.activeRequirements ?? ctx.activeFolder]; // the active folder's, not the first
    }
    return [];
  }
  if (isUriLike(meaningful[0])) {
    return [meaningful[0].toString()];
  }
  return meaningful.map((a) => (isUriLike(a) ? a.toString() : a));
}
