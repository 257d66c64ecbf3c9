/**
 * The part of the PostgreSQL schema the replica modules use (workflow rows with their claim
 * columns, the state log, replica leases), for their tests.
 */
export const REPLICA_SCHEMA = `
CREATE TABLE workflows (
  workflow_id text PRIMARY KEY,
  engine text NOT NULL,
  state_type text NOT NULL,
  sequence bigint NOT NULL,
  handle jsonb,
  job_done boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  created_order bigint GENERATED ALWAYS AS IDENTITY,
  follower text,
  follower_epoch bigint NOT NULL DEFAULT 0
);
CREATE TABLE workflow_states (
  workflow_id text NOT NULL REFERENCES workflows ON DELETE CASCADE,
  sequence bigint NOT NULL,
  state text NOT NULL,
  PRIMARY KEY (workflow_id, sequence)
);
CREATE TABLE replicas (
  replica_id text PRIMARY KEY,
  epoch bigint NOT NULL,
  lease_until timestamptz NOT NULL
);`;
