// Starting, stopping and restarting the Pinwise language server (`python -m pinwise serve` with
// the bundled libraries on PYTHONPATH). Starts and stops are serialized (one at a time) and
// automatic restarts are debounced, so a burst of setting changes restarts the server once.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  CloseHandlerResult,
  DidChangeConfigurationNotification,
  ErrorAction,
  ErrorHandler,
  ErrorHandlerResult,
  ExecuteCommandRequest,
  Executable,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  State,
} from 'vscode-languageclient/node';
import { SERVER_COMMANDS } from './commandArgs';
import { CrashCounter } from './crashes';
import { noServerInterpreterMessage, pickServerInterpreter, serverCandidates } from './interpreter';
import { getLogChannel, serverLogChannel, traceError, traceInfo, traceWarn } from './logging';
import { probePython } from './python';
import { clientSettings, folderSettings, mergeSection, resolveInterpreter } from './settings';
import { SECTION } from './settingsModel';
import { StatusController } from './status';
import { StatusPayload } from './statusView';

const OWN_COMMANDS: ReadonlySet<string> = new Set(SERVER_COMMANDS);

/**
 * The language client, except that the server's commands that the extension registers itself
 * (always available, with argument handling) are not registered a second time from the server's
 * `executeCommandProvider` (VS Code refuses a command registered twice). Other server commands
 * are registered as usual.
 */
class PinwiseLanguageClient extends LanguageClient {
  public override registerFeature(feature: Parameters<LanguageClient['registerFeature']>[0]): void {
    const dynamic = feature as unknown as {
      registrationType?: { method?: string };
      register?: (data: { registerOptions: { commands?: string[] } }) => void;
    };
    if (dynamic.registrationType?.method === ExecuteCommandRequest.method && dynamic.register) {
      const original = dynamic.register.bind(feature);
      dynamic.register = (data) =>
        original({
          ...data,
          registerOptions: {
            ...data.registerOptions,
            commands: (data.registerOptions.commands ?? []).filter((c) => !OWN_COMMANDS.has(c)),
          },
        });
    }
    super.registerFeature(feature);
  }
}

/**
 * vscode-languageclient's default handler shuts the client down when writing to a server that
 * has just died fails (a didSave at the wrong moment), and then never restarts it. Here a
 * write error is left to the close that follows, which restarts the server unless it crashed
 * too often lately (`CrashCounter`).
 */
class RestartingErrorHandler implements ErrorHandler {
  private readonly counter = new CrashCounter();

  constructor(private readonly giveUp: (message: string) => void) {}

  error(_error: Error, _message: unknown, count: number | undefined): ErrorHandlerResult {
    // A failed write (count undefined) or a few bad reads: the close that follows decides.
    // A server that keeps sending what cannot be read is shut down, as by default.
    if (count !== undefined && count > 3) {
      return { action: ErrorAction.Shutdown };
    }
    return { action: ErrorAction.Continue, handled: true };
  }

  closed(): CloseHandlerResult {
    const { restart, recent } = this.counter.record(Date.now());
    if (restart) {
      traceWarn('The Pinwise server stopped unexpectedly: restarting it');
      return { action: CloseAction.Restart, handled: true };
    }
    const message =
      `The Pinwise server stopped unexpectedly ${recent} times in 3 minutes, so it is not ` +
      'restarted: see the Pinwise log, then restart it or select another interpreter.';
    this.giveUp(message); // (logged once, as the failure; the client adds its own line)
    return { action: CloseAction.DoNotRestart, handled: true };
  }
}

export class ServerManager implements vscode.Disposable {
  private client: PinwiseLanguageClient | undefined;
  private queue: Promise<void> = Promise.resolve();
  private restartTimer: NodeJS.Timeout | undefined;
  private stopping = false;
  private disposed = false;
  private failure: string | undefined;
  private python: string | undefined;
  private starts = 0;
  private readonly clientDisposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly status: StatusController,
  ) {}

  /** Why the server is not running, when it is not. */
  get lastFailure(): string | undefined {
    return this.failure;
  }

  /** The Python the server runs on, and how many times it was started (for the tests). */
  get info(): { serverPython?: string; starts: number } {
    return { serverPython: this.python, starts: this.starts };
  }

  get isRunning(): boolean {
    return this.client?.state === State.Running;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.restartTimer);
  }

  start(): Promise<void> {
    return this.enqueue(() => this.doStart());
  }

  stop(): Promise<void> {
    clearTimeout(this.restartTimer);
    return this.enqueue(() => this.doStop());
  }

  /** Restart now (the restart command); resolves when the new server is running or failed. */
  restart(reason: string): Promise<void> {
    clearTimeout(this.restartTimer);
    traceInfo(`Restarting the server: ${reason}`);
    return this.enqueue(async () => {
      await this.doStop();
      await this.doStart();
    });
  }

  /** Restart after `delayMs` without further requests (settings changes come in bursts). */
  scheduleRestart(reason: string, delayMs = 500): void {
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      void this.restart(reason);
    }, delayMs);
  }

  /** Tells the running server to read the `pinwise` section again (interpreter or settings changed). */
  async notifyConfigurationChanged(): Promise<void> {
    const client = this.client;
    if (this.failure !== undefined && (!client || client.state === State.Stopped)) {
      // Not running because it failed (no interpreter could run it, or it kept crashing): the
      // new interpreter or settings may be what it needed.
      this.scheduleRestart('the interpreter or settings changed after the server failed');
      return;
    }
    if (!client || client.state !== State.Running) {
      return;
    }
    try {
      const settings = await folderSettings(vscode.workspace.workspaceFolders?.[0]?.uri);
      await client.sendNotification(DidChangeConfigurationNotification.type, {
        settings: { [SECTION]: settings },
      });
    } catch (e) {
      traceError('Could not send the configuration change to the server', e);
    }
  }

  /** `workspace/executeCommand` on the server, or a clear error when it is not running. */
  async executeCommand(command: string, args: unknown[]): Promise<unknown> {
    await this.queue;
    const client = this.client;
    if (!client || client.state !== State.Running) {
      const why = this.failure ?? 'it is not running';
      const choice = await vscode.window.showErrorMessage(
        `Pinwise: cannot run ${command}: the language server is not running (${why}).`,
        'Restart Server',
        'Show Log',
      );
      if (choice === 'Restart Server') {
        await this.restart('requested after a failed command');
      } else if (choice === 'Show Log') {
        getLogChannel().show();
      }
      return undefined;
    }
    return client.sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    const run = this.queue.then(job, job);
    this.queue = run.catch((e) => traceError('Server start/stop failed', e));
    return run;
  }

  /** Where the server's Python libraries are: the bundled folder (and the sources when developing). */
  private pythonPath(): string {
    const root = this.context.extensionPath;
    const entries: string[] = [];
    const sources = path.join(root, 'server');
    const developing = this.context.extensionMode !== vscode.ExtensionMode.Production;
    if (developing && fs.existsSync(path.join(sources, 'pinwise', '__init__.py'))) {
      entries.push(sources);
    }
    entries.push(path.join(root, 'bundled', 'libs'));
    return entries.join(path.delimiter);
  }

  private serverEnv(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env };
    env.PYTHONPATH = this.pythonPath();
    env.PYTHONNOUSERSITE = '1';
    env.PYTHONUNBUFFERED = '1';
    env.PYTHONIOENCODING = 'utf-8';
    delete env.PYTHONHOME;
    delete env.PYTHONSTARTUP;
    return env;
  }

  /** Not the workspace: `python -m` puts the current folder first on sys.path. */
  private serverCwd(): string {
    const bundled = path.join(this.context.extensionPath, 'bundled');
    return fs.existsSync(bundled) ? bundled : this.context.extensionPath;
  }

  private fail(message: string): void {
    this.failure = message;
    traceError(message);
    this.status.setPhase('failed', message);
  }

  private async doStart(): Promise<void> {
    if (this.disposed) {
      return;
    }
    this.failure = undefined;
    this.status.setPhase('starting');
    const trusted = vscode.workspace.isTrusted;
    const env = this.serverEnv();
    const cwd = this.serverCwd();
    const first = vscode.workspace.workspaceFolders?.[0];
    const selected = await resolveInterpreter(first?.uri);
    const candidates = serverCandidates({
      serverInterpreter: clientSettings().serverInterpreter,
      selected: selected.path,
      trusted,
    });
    const pick = await pickServerInterpreter(candidates, (command) => probePython(command, env, cwd));
    for (const t of pick.tried) {
      traceWarn(`Not running the server on ${t.candidate.command} (${t.candidate.source}): ${t.reason}`);
    }
    if (!pick.chosen) {
      const message = noServerInterpreterMessage(pick.tried);
      this.fail(message);
      void vscode.window.showErrorMessage(message, 'Open Settings', 'Show Log').then((choice) => {
        if (choice === 'Open Settings') {
          void vscode.commands.executeCommand('workbench.action.openSettings', 'pinwise.serverInterpreter');
        } else if (choice === 'Show Log') {
          getLogChannel().show();
        }
      });
      return;
    }
    const python = pick.chosen.executable;
    traceInfo(
      `Server: ${python} (Python ${pick.chosen.version.join('.')}, from ${pick.chosen.candidate.source}); ` +
        `checking ${selected.path ?? 'the discovered interpreter'} (${selected.source}); ` +
        `workspace ${trusted ? 'trusted' : 'in Restricted Mode: static inspection only'}`,
    );
    this.status.setServerPython(python);

    const serverOptions: Executable = {
      command: python,
      args: ['-m', 'pinwise', 'serve'],
      options: { cwd, env },
    };
    const client = new PinwiseLanguageClient('pinwise', 'Pinwise', serverOptions, await this.clientOptions(trusted));
    this.client = client;
    this.clientDisposables.push(
      client.onDidChangeState((e) => {
        if (client !== this.client) {
          return;
        }
        if (e.newState === State.Running) {
          // (the client's own restart after a crash: the crash is over)
          this.failure = undefined;
          this.status.setPhase('running');
        } else if (e.newState === State.Starting) {
          this.status.setPhase('starting');
        } else if (!this.stopping) {
          // A crash (the client restarts it, up to its limit), or a start that failed: keep
          // the more precise reason when one was given since it last ran.
          this.fail(this.failure ?? 'The Pinwise server stopped unexpectedly (details in the Pinwise log).');
        } else if (!this.failure) {
          this.status.setPhase('stopped');
        }
      }),
      client.onNotification('pinwise/status', (payload: StatusPayload) => this.status.update(payload)),
    );
    try {
      await client.start();
      this.python = python;
      this.starts += 1;
      this.status.setPhase('running');
      traceInfo('Server started');
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      this.fail(`The Pinwise server did not start on ${python}: ${detail} (details in the Pinwise log).`);
      void vscode.window
        .showErrorMessage(`Pinwise: the language server did not start: ${detail}`, 'Show Log', 'Restart Server')
        .then((choice) => {
          if (choice === 'Show Log') {
            getLogChannel().show();
          } else if (choice === 'Restart Server') {
            void this.restart('requested after a failed start');
          }
        });
    }
  }

  private async doStop(): Promise<void> {
    const client = this.client;
    if (!client) {
      return;
    }
    this.stopping = true;
    try {
      if (client.state !== State.Stopped) {
        await client.stop(5000);
      }
    } catch (e) {
      traceError('Stopping the server', e);
    } finally {
      try {
        await client.dispose(2000);
      } catch {
        // already stopped
      }
      this.clientDisposables.splice(0).forEach((d) => d.dispose());
      this.client = undefined;
      this.stopping = false;
      this.status.setPhase('stopped');
    }
  }

  private async clientOptions(trusted: boolean): Promise<LanguageClientOptions> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const perFolder = await Promise.all(
      folders.map(async (f) => ({ workspace: f.uri.toString(), ...(await folderSettings(f.uri)) })),
    );
    // No top-level `interpreter`: the server would hold on to it for the whole session, while the
    // selection can change. The interpreter travels in the per-folder settings and in the answers
    // to `workspace/configuration`, both resolved by the client.
    const initializationOptions: Record<string, unknown> = { trusted };
    if (folders.length === 0) {
      const settings = await folderSettings(undefined);
      initializationOptions.settings = settings;
    } else {
      initializationOptions.settings = perFolder;
    }
    traceInfo(`initializationOptions: ${JSON.stringify(initializationOptions)}`);
    const log = serverLogChannel(getLogChannel());
    return {
      documentSelector: [
        { scheme: 'file', language: 'pip-requirements' },
        { scheme: 'untitled', language: 'pip-requirements' },
        // PW015 (imports no requirements file declares) and the pyproject.toml checks; the
        // server ignores MANIFEST.in, which the `*.in` pattern also gives the language
        { scheme: 'file', language: 'python' },
        { scheme: 'file', pattern: '**/pyproject.toml' },
      ],
      outputChannel: log,
      traceOutputChannel: log,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      initializationOptions,
      diagnosticCollectionName: 'pinwise',
      errorHandler: new RestartingErrorHandler((message) => {
        this.failure = message;
        void vscode.window.showErrorMessage(`Pinwise: ${message}`, 'Restart Server', 'Show Log').then((choice) => {
          if (choice === 'Restart Server') {
            void this.restart('requested after repeated crashes');
          } else if (choice === 'Show Log') {
            getLogChannel().show();
          }
        });
      }),
      initializationFailedHandler: (error) => {
        traceError('The server failed to initialize', error);
        return false;
      },
      middleware: {
        workspace: {
          // The server asks for the `pinwise` section per folder; the interpreter in it is the
          // one selected (Python extension, pinwise.interpreter, python.defaultInterpreterPath),
          // resolved here, so the server never needs to know where the choice came from.
          configuration: async (params, token, next) => {
            const answer = await next(params, token);
            if (!Array.isArray(answer)) {
              return answer;
            }
            return Promise.all(
              params.items.map(async (item, i) => {
                const scope = item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined;
                if (item.section === SECTION) {
                  return mergeSection(answer[i], await folderSettings(scope));
                }
                if (item.section === `${SECTION}.interpreter`) {
                  return (await resolveInterpreter(scope)).path ?? '';
                }
                return answer[i];
              }),
            );
          },
        },
      },
    };
  }
}
