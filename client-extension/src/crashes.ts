// How many crashes the extension restarts the server after. Plain logic (no `vscode` import):
// server.ts turns its verdicts into vscode-languageclient's close actions.

/** Crashes in this window count towards giving up. */
export const CRASH_WINDOW_MS = 3 * 60 * 1000;
export const MAX_RESTARTS = 4;

export class CrashCounter {
  private readonly crashes: number[] = [];

  /** Records a crash at `now` (ms): restart, or give up after MAX_RESTARTS in the window. */
  record(now: number): { restart: boolean; recent: number } {
    this.crashes.push(now);
    while (this.crashes.length > 0 && now - this.crashes[0] > CRASH_WINDOW_MS) {
      this.crashes.shift();
    }
    return { restart: this.crashes.length <= MAX_RESTARTS, recent: this.crashes.length };
  }
}
