/**
 * Reads a server process's Prometheus endpoint (started with `--metrics-port 0`; the port is
 * taken from its 'metrics listening' log line).
 */
import type { ServerProcess } from './server-process.js';

/** The value of a counter or gauge, summed over its label sets; throws when the server does not export it. */
export async function metricValue(server: ServerProcess, name: string): Promise<number> {
  const listening = server.lines.find((l) => l.msg === 'metrics listening');
  if (!listening) throw new Error('the server serves no metrics (start it with --metrics-port 0)');
  const text = await (await fetch(`http://127.0.0.1:${String(listening.port)}/metrics`)).text();
  const samples = text.split('\n').filter((line) => line.startsWith(`${name} `) || line.startsWith(`${name}{`));
  if (samples.length === 0) throw new Error(`the server does not export ${name}`);
  return samples.reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}
