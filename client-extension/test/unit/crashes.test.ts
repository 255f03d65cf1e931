import { describe, expect, it } from 'vitest';
import { CRASH_WINDOW_MS, CrashCounter, MAX_RESTARTS } from '../../src/crashes';

describe('CrashCounter: when the server is restarted after a crash', () => {
  it('restarts MAX_RESTARTS times in the window, then gives up', () => {
    const counter = new CrashCounter();
    const verdicts = Array.from({ length: MAX_RESTARTS + 1 }, (_, i) => counter.record(1000 * i).restart);
    expect(verdicts).toEqual([true, true, true, true, false]);
    expect(counter.record(6000)).toEqual({ restart: false, recent: MAX_RESTARTS + 2 });
  });

  it('forgets crashes older than the window', () => {
    const counter = new CrashCounter();
    for (let i = 0; i < MAX_RESTARTS; i += 1) counter.record(i);
    expect(counter.record(CRASH_WINDOW_MS + 10)).toEqual({ restart: true, recent: 1 });
  });
});
