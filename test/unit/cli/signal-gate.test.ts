import { describe, expect, it } from 'vitest';
import { createSignalGate } from '../../../src/cli/signal-gate.js';

function gate() {
  let clock = 0;
  const events: string[] = [];
  const onSignal = createSignalGate({
    onStop: (s) => events.push(`stop ${s}`),
    onForce: (s) => events.push(`force ${s}`),
    onDuplicate: (s) => events.push(`duplicate ${s}`),
    coalesceMs: 1000,
    now: () => clock,
  });
  return { events, at: (ms: number, s: NodeJS.Signals) => ((clock = ms), onSignal(s)) };
}

describe('createSignalGate: one interrupt, one graceful shutdown', () => {
  it('treats copies of the first signal within the window as the same interrupt', () => {
    const g = gate();
    g.at(0, 'SIGINT');
    g.at(3, 'SIGINT'); // tsx's relay
    g.at(5, 'SIGTERM');
    expect(g.events).toEqual(['stop SIGINT', 'duplicate SIGINT', 'duplicate SIGTERM']);
  });

  it('forces on a later, separate signal', () => {
    const g = gate();
    g.at(0, 'SIGINT');
    g.at(2, 'SIGINT');
    g.at(1500, 'SIGINT');
    expect(g.events).toEqual(['stop SIGINT', 'duplicate SIGINT', 'force SIGINT']);
  });
});
