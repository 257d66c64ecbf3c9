/**
 * deploy/kubernetes/ checked offline (no API server, no kubeconform here): each manifest is
 * parsed with `yaml` and held against the fields the deployment relies on — gRPC probes on the
 * health service, the named gRPC port with appProtocol, a non-root read-only container whose
 * mounts match its volumes, a termination grace that covers the server's drain, and a ConfigMap
 * whose keys are real FLOWSERV_REMOTE_* settings that the server's own loader accepts, and a
 * metrics port that the container, the scrape annotations and the Service agree on.
 * `checkManifests` returns problems instead of throwing, so the negative cases below prove that
 * each rule can fail.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { SETTINGS } from '../../../src/config/settings.js';

const DIR = fileURLToPath(new URL('../../../deploy/kubernetes/', import.meta.url));
const SERVICE = 'flowserv.remote.v1.RemoteWorkflowService';
const FILES = {
  'configmap.yaml': ['v1', 'ConfigMap'],
  'pvc.yaml': ['v1', 'PersistentVolumeClaim'],
  'deployment.yaml': ['apps/v1', 'Deployment'],
  'service.yaml': ['v1', 'Service'],
  'kustomization.yaml': ['kustomize.config.k8s.io/v1beta1', 'Kustomization'],
} as const;
type FileName = keyof typeof FILES;
// The manifests are untyped YAML; the checks below test every field before relying on it.
type Doc = any;

function load(): Record<FileName, Doc> {
  const out = {} as Record<FileName, Doc>;
  for (const name of Object.keys(FILES) as FileName[]) {
    const docs = parseAllDocuments(readFileSync(`${DIR}${name}`, 'utf8'));
    if (docs.length !== 1 || docs[0]!.errors.length > 0) throw new Error(`${name}: expected one valid YAML document`);
    out[name] = docs[0]!.toJS();
  }
  return out;
}

/** Kubernetes quantities we use: plain, m (milli), Ki/Mi/Gi. */
function quantity(q: unknown): number {
  const m = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi)?$/.exec(String(q));
  if (!m) return Number.NaN;
  const scale = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * scale;
}

const SETTING_ENVS = new Set<string>(SETTINGS.map((s) => s.env));

/** Every rule the deployment depends on; returns the broken ones (empty when all hold). */
function checkManifests(m: Record<FileName, Doc>): string[] {
  const problems: string[] = [];
  const need = (ok: unknown, problem: string) => {
    if (!ok) problems.push(problem);
  };
  for (const [name, [apiVersion, kind]] of Object.entries(FILES) as [FileName, readonly [string, string]][]) {
    need(m[name]?.apiVersion === apiVersion && m[name]?.kind === kind, `${name}: must be ${apiVersion} ${kind}`);
    if (kind !== 'Kustomization') need(typeof m[name]?.metadata?.name === 'string', `${name}: metadata.name missing`);
  }

  const data: Record<string, unknown> = m['configmap.yaml']?.data ?? {};
  for (const [key, value] of Object.entries(data)) {
    need(SETTING_ENVS.has(key), `configmap: ${key} is not a setting in src/config/settings.ts`);
    need(typeof value === 'string', `configmap: ${key} must be a string (quote numbers)`);
  }
  try {
    loadConfig(data as Record<string, string>);
  } catch (err) {
    problems.push(`configmap: the server would refuse to start: ${(err as Error).message}`);
  }
  const port = Number(data.FLOWSERV_REMOTE_PORT);
  const dataDir = data.FLOWSERV_REMOTE_DATA_DIR;
  const shutdownGraceMs = Number(data.FLOWSERV_REMOTE_SHUTDOWN_GRACE_MS ?? SETTINGS.find((s) => s.key === 'shutdownGraceMs')?.defaultText);
  need(data.FLOWSERV_REMOTE_HOST === '0.0.0.0', 'configmap: FLOWSERV_REMOTE_HOST must be 0.0.0.0 in a pod');
  need(Number.isInteger(port) && port > 0, 'configmap: FLOWSERV_REMOTE_PORT must be a fixed port');

  const deployment = m['deployment.yaml'] ?? {};
  const pod = deployment.spec?.template?.spec ?? {};
  const podLabels = deployment.spec?.template?.metadata?.labels ?? {};
  const containers: Doc[] = pod.containers ?? [];
  need(containers.length === 1, 'deployment: expected exactly one container');
  const c = containers[0] ?? {};
  need(deployment.spec?.replicas === 1, 'deployment: replicas must be 1 (SQLite on a ReadWriteOnce volume)');
  need(deployment.spec?.strategy?.type === 'Recreate', 'deployment: strategy must be Recreate (never two servers on one database)');
  for (const [k, v] of Object.entries(deployment.spec?.selector?.matchLabels ?? { missing: true })) {
    need(podLabels[k] === v, `deployment: selector ${k}=${String(v)} does not match the pod labels`);
  }

  const grpcPort = (c.ports ?? []).find((p: Doc) => p.name === 'grpc');
  need(grpcPort?.containerPort === port && (grpcPort?.protocol ?? 'TCP') === 'TCP', `deployment: container port "grpc" must be ${port}/TCP`);
  for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
    const p = c[probe];
    need(p?.grpc?.port === port, `deployment: ${probe} must be a grpc probe on port ${port}`);
    need(p && !p.httpGet && !p.tcpSocket && !p.exec, `deployment: ${probe} must use only the grpc handler`);
    need(p?.grpc && Object.keys(p.grpc).every((k) => k === 'port' || k === 'service'), `deployment: ${probe}.grpc takes port and service only`);
    need(p?.grpc?.service === undefined || typeof p.grpc.service === 'string', `deployment: ${probe}.grpc.service must be a string`);
  }
  need(c.readinessProbe?.grpc?.service === SERVICE, `deployment: readinessProbe must check ${SERVICE}`);

  need(pod.securityContext?.runAsNonRoot === true || c.securityContext?.runAsNonRoot === true, 'deployment: runAsNonRoot must be true');
  need((pod.securityContext?.runAsUser ?? c.securityContext?.runAsUser ?? 0) !== 0, 'deployment: runAsUser must not be 0');
  need(c.securityContext?.readOnlyRootFilesystem === true, 'deployment: readOnlyRootFilesystem must be true');
  need(c.securityContext?.allowPrivilegeEscalation === false, 'deployment: allowPrivilegeEscalation must be false');
  need((c.securityContext?.capabilities?.drop ?? []).includes('ALL'), 'deployment: capabilities must drop ALL');

  const preStop: string[] = c.lifecycle?.preStop?.exec?.command ?? [];
  const preStopSeconds = Number(/sleep (\d+)/.exec(preStop.join(' '))?.[1] ?? c.lifecycle?.preStop?.sleep?.seconds ?? 0);
  const needed = preStopSeconds + shutdownGraceMs / 1000;
  need(
    typeof pod.terminationGracePeriodSeconds === 'number' && pod.terminationGracePeriodSeconds > needed,
    `deployment: terminationGracePeriodSeconds must exceed preStop ${preStopSeconds} s + shutdown grace ${shutdownGraceMs / 1000} s`,
  );

  const volumes = new Map<string, Doc>((pod.volumes ?? []).map((v: Doc) => [v.name, v]));
  const mounts: Doc[] = c.volumeMounts ?? [];
  for (const mount of mounts) need(volumes.has(mount.name), `deployment: volumeMount ${mount.name} has no volume`);
  for (const name of volumes.keys()) need(mounts.some((mt) => mt.name === name), `deployment: volume ${name} is never mounted`);
  const dataMount = mounts.find((mt) => mt.mountPath === dataDir);
  need(dataMount && !dataMount.readOnly, `deployment: nothing writable is mounted at the data dir ${String(dataDir)}`);
  const claim = volumes.get(dataMount?.name)?.persistentVolumeClaim?.claimName;
  need(claim === m['pvc.yaml']?.metadata?.name, 'deployment: the data dir volume must be the PVC from pvc.yaml');
  need(mounts.some((mt) => mt.mountPath === '/tmp' && volumes.get(mt.name)?.emptyDir), 'deployment: /tmp must be an emptyDir (root filesystem is read-only)');

  for (const r of ['cpu', 'memory']) {
    const request = quantity(c.resources?.requests?.[r]);
    const limit = quantity(c.resources?.limits?.[r]);
    need(request > 0 && limit > 0 && request <= limit, `deployment: resources ${r} needs a request <= limit`);
  }
  need(
    (c.envFrom ?? []).some((e: Doc) => e.configMapRef?.name === m['configmap.yaml']?.metadata?.name),
    'deployment: envFrom must reference the ConfigMap',
  );
  need((c.env ?? []).every((e: Doc) => !String(e.name).startsWith('FLOWSERV_REMOTE_') || SETTING_ENVS.has(e.name)), 'deployment: env names an unknown setting');

  const metricsPort = Number(data.FLOWSERV_REMOTE_METRICS_PORT);
  const annotations = deployment.spec?.template?.metadata?.annotations ?? {};
  need(Number.isInteger(metricsPort) && metricsPort > 0 && metricsPort !== port, 'configmap: FLOWSERV_REMOTE_METRICS_PORT must be a fixed port apart from the gRPC port');
  const metricsContainerPort = (c.ports ?? []).find((p: Doc) => p.name === 'metrics');
  need(metricsContainerPort?.containerPort === metricsPort, `deployment: container port "metrics" must be ${metricsPort}`);
  need(annotations['prometheus.io/scrape'] === 'true', 'deployment: pod annotation prometheus.io/scrape must be "true"');
  need(annotations['prometheus.io/port'] === String(metricsPort), `deployment: pod annotation prometheus.io/port must be "${metricsPort}"`);
  need(annotations['prometheus.io/path'] === '/metrics', 'deployment: pod annotation prometheus.io/path must be /metrics');

  const service = m['service.yaml'] ?? {};
  need((service.spec?.type ?? 'ClusterIP') === 'ClusterIP', 'service: type must be ClusterIP');
  const sp = (service.spec?.ports ?? []).find((p: Doc) => p.name === 'grpc');
  need(sp?.appProtocol === 'grpc', 'service: port "grpc" must have appProtocol: grpc');
  need(sp?.targetPort === 'grpc' || sp?.targetPort === port, 'service: targetPort must be the container port "grpc"');
  const smp = (service.spec?.ports ?? []).find((p: Doc) => p.name === 'metrics');
  need(smp === undefined || smp.targetPort === 'metrics' || smp.targetPort === metricsPort, 'service: port "metrics" must target the container port "metrics"');
  for (const [k, v] of Object.entries(service.spec?.selector ?? { missing: true })) {
    need(podLabels[k] === v, `service: selector ${k}=${String(v)} does not match the pod labels`);
  }

  const pvc = m['pvc.yaml'] ?? {};
  need((pvc.spec?.accessModes ?? []).includes('ReadWriteOnce'), 'pvc: must be ReadWriteOnce');
  need(quantity(pvc.spec?.resources?.requests?.storage) > 0, 'pvc: storage request missing');

  const resources: unknown[] = m['kustomization.yaml']?.resources ?? [];
  for (const name of Object.keys(FILES).filter((f) => f !== 'kustomization.yaml')) {
    need(resources.includes(name), `kustomization: resources must list ${name}`);
  }
  need(resources.every((r) => typeof r === 'string' && r in FILES), 'kustomization: lists a file this test does not check');
  const image = String(c.image ?? '').split(':')[0];
  need((m['kustomization.yaml']?.images ?? []).every((i: Doc) => i.name === image), 'kustomization: images must name the container image');
  return problems;
}

describe('deploy/kubernetes manifests', () => {
  const manifests = load();

  it('hold every rule the deployment relies on', () => {
    expect(checkManifests(manifests)).toEqual([]);
  });

  it('would catch broken manifests', () => {
    const broken = (edit: (m: Record<FileName, Doc>) => void): string[] => {
      const copy = structuredClone(manifests);
      edit(copy);
      return checkManifests(copy);
    };
    const container = (m: Record<FileName, Doc>) => m['deployment.yaml'].spec.template.spec.containers[0];
    expect(broken((m) => { m['configmap.yaml'].data.FLOWSERV_REMOTE_SHUTDOWN_GRACE_MS = '60000'; })).toEqual([
      expect.stringContaining('terminationGracePeriodSeconds'),
    ]);
    expect(broken((m) => { m['configmap.yaml'].data.FLOWSERV_REMOTE_HEARTBEAT_MS = '1000'; })).toEqual([
      expect.stringContaining('not a setting'),
    ]);
    expect(broken((m) => { m['configmap.yaml'].data.FLOWSERV_REMOTE_PORT = 'http'; }).join('\n')).toContain('refuse to start');
    expect(broken((m) => { delete m['service.yaml'].spec.ports[0].appProtocol; })).toEqual([expect.stringContaining('appProtocol')]);
    expect(broken((m) => { m['configmap.yaml'].data.FLOWSERV_REMOTE_METRICS_PORT = '9100'; })).toEqual([
      expect.stringContaining('container port "metrics"'),
      expect.stringContaining('prometheus.io/port'),
    ]);
    expect(broken((m) => { delete m['deployment.yaml'].spec.template.metadata.annotations['prometheus.io/scrape']; })).toEqual([
      expect.stringContaining('prometheus.io/scrape'),
    ]);
    expect(broken((m) => { container(m).readinessProbe = { httpGet: { path: '/', port: 50051 } }; }).length).toBeGreaterThan(0);
    expect(broken((m) => { container(m).volumeMounts[0].name = 'other'; }).join('\n')).toContain('has no volume');
    expect(broken((m) => { container(m).securityContext.readOnlyRootFilesystem = false; })).toEqual([
      expect.stringContaining('readOnlyRootFilesystem'),
    ]);
    expect(broken((m) => { container(m).resources.requests.memory = '4Gi'; })).toEqual([expect.stringContaining('memory')]);
  });
});
