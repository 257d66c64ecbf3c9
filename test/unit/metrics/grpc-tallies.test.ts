import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createGrpcTallies } from '../../../src/metrics/grpc-tallies.js';

const LABELS = { grpc_type: 'unary', grpc_service: 'pkg.Svc', grpc_method: 'Get' };

describe('gRPC tallies', () => {
  it('expose counters, every status code and a cumulative histogram in the Prometheus text format', async () => {
    const registry = new Registry();
    const tallies = createGrpcTallies(registry, [0.1, 1]);
    const t = tallies.tally(LABELS, false);
    t.started += 3;
    t.received += 3;
    t.sent += 2;
    t.handled[0]! += 2;
    t.handled[5]! += 1;
    for (const seconds of [0.05, 0.5, 5]) tallies.observe(t, seconds);
    expect(tallies.tally(LABELS, false)).toBe(t);

    const text = await registry.metrics();
    const l = 'grpc_type="unary",grpc_service="pkg.Svc",grpc_method="Get"';
    expect(text).toContain(`# TYPE grpc_server_started_total counter\ngrpc_server_started_total{${l}} 3`);
    expect(text).toContain(`grpc_server_handled_total{${l},grpc_code="OK"} 2`);
    expect(text).toContain(`grpc_server_handled_total{${l},grpc_code="NotFound"} 1`);
    expect(text).toContain(`grpc_server_handled_total{${l},grpc_code="Unauthenticated"} 0`);
    expect(text).toContain(`grpc_server_msg_received_total{${l}} 3`);
    expect(text).toContain(`grpc_server_msg_sent_total{${l}} 2`);
    expect(text).toContain(`# TYPE grpc_server_handling_seconds histogram`);
    expect(text).toContain(`grpc_server_handling_seconds_bucket{${l},le="0.1"} 1`);
    expect(text).toContain(`grpc_server_handling_seconds_bucket{${l},le="1"} 2`);
    expect(text).toContain(`grpc_server_handling_seconds_bucket{${l},le="+Inf"} 3`);
    expect(text).toContain(`grpc_server_handling_seconds_sum{${l}} 5.55`);
    expect(text).toContain(`grpc_server_handling_seconds_count{${l}} 3`);
    // Unary methods have no open-streams series; streaming ones do.
    expect(text).not.toContain(`flowserv_grpc_server_streams_open{${l}}`);
    tallies.tally({ ...LABELS, grpc_type: 'server_stream', grpc_method: 'Watch' }, true).open += 1;
    expect(await registry.metrics()).toContain('flowserv_grpc_server_streams_open{grpc_type="server_stream",grpc_service="pkg.Svc",grpc_method="Watch"} 1');
  });
});
