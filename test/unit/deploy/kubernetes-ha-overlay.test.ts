/**
 * deploy/kubernetes-ha/ (several replicas on one PostgreSQL database) rendered with the real
 * kustomize (`kubectl kustomize`, offline) and held against what running replicas relies on:
 * three replicas replaced one at a time, a PodDisruptionBudget that keeps two, anti-affinity on
 * nodes, the data directory on a ReadWriteMany volume (and no ReadWriteOnce one left), the
 * PostgreSQL store selected with the database URL from a Secret that the manifests never hold,
 * each replica named by its pod, readiness on the `store` health entry, and a migration Job that
 * runs the same image with the same settings. `checkOverlay` returns problems instead of
 * throwing, so the negative cases prove that each rule can fail.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.js';
import { SETTINGS } from '../../../src/config/settings.js';
import { describeIfAvailable, kubectlMissing } from '../../support/requirements.js';

const DIR = fileURLToPath(new URL('../../../deploy/kubernetes-ha/', import.meta.url));
// Rendered YAML is untyped; every field is tested before it is relied on.
type Doc = any;

const SETTING_ENVS = new Set<string>(SETTINGS.map((s) => s.env));

function render(): Doc[] {
  const text = execFileSync('kubectl', ['kustomize', DIR], { encoding: 'utf8', timeout: 60_000 });
  return parseAllDocuments(text).map((d) => d.toJS());
}

const labelsMatch = (selector: Record<string, string> | undefined, labels: Record<string, string>): boolean =>
  selector !== undefined && Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);

/** Every rule the replicas depend on; returns the broken ones (empty when all hold). */
function checkOverlay(docs: Doc[]): string[] {
  const problems: string[] = [];
  const need = (ok: unknown, problem: string) => {
    if (!ok) problems.push(problem);
  };
  const of = (kind: string) => docs.filter((d) => d?.kind === kind);
  const [deployment] = of('Deployment');
  const [pdb] = of('PodDisruptionBudget');
  const [job] = of('Job');
  const [configMap] = of('ConfigMap');
  need(of('Deployment').length === 1 && pdb && job && configMap, 'expected one Deployment, PodDisruptionBudget, Job and ConfigMap');
  need(of('Secret').length === 0, 'the manifests must not carry a Secret (database credentials stay out of the repository)');

  const spec = deployment?.spec ?? {};
  const pod = spec.template?.spec ?? {};
  const podLabels: Record<string, string> = spec.template?.metadata?.labels ?? {};
  const c = (pod.containers ?? [])[0] ?? {};
  need(spec.replicas === 3, 'deployment: replicas must be 3');
  need(spec.strategy?.type === 'RollingUpdate', 'deployment: strategy must be RollingUpdate');
  const maxUnavailable = spec.strategy?.rollingUpdate?.maxUnavailable ?? '25%';
  need(maxUnavailable === 0 || maxUnavailable === 1, 'deployment: a rolling update may take at most one replica out (maxUnavailable 0 or 1)');

  need(pdb?.spec?.minAvailable === 2, 'pdb: minAvailable must be 2');
  need(labelsMatch(pdb?.spec?.selector?.matchLabels, podLabels), 'pdb: selector must match the pod labels');

  const anti = [
    ...(pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []),
    ...(pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t: Doc) => t.podAffinityTerm),
  ];
  need(
    anti.some((t: Doc) => t?.topologyKey === 'kubernetes.io/hostname' && labelsMatch(t.labelSelector?.matchLabels, podLabels)),
    'deployment: pod anti-affinity on kubernetes.io/hostname against its own pods is missing',
  );

  const data: Record<string, string> = configMap?.data ?? {};
  for (const key of Object.keys(data)) need(SETTING_ENVS.has(key), `configmap: ${key} is not a setting in src/config/settings.ts`);
  need(!Object.keys(data).includes('FLOWSERV_REMOTE_DATABASE_URL'), 'configmap: the database URL belongs in the Secret');
  let config: ReturnType<typeof loadConfig> | undefined;
  try {
    // What a pod sees: the ConfigMap, the Secret's URL, the pod name.
    config = loadConfig({ ...data, FLOWSERV_REMOTE_DATABASE_URL: 'postgresql://flowserv:secret@db:5432/flowserv', FLOWSERV_REMOTE_REPLICA_NAME: 'flowserv-remote-7d9-abcde' });
  } catch (err) {
    problems.push(`configmap: the server would refuse to start: ${(err as Error).message}`);
  }
  need(data.FLOWSERV_REMOTE_STORE === 'postgres' && (config === undefined || config.store === 'postgres'), 'configmap: FLOWSERV_REMOTE_STORE must be postgres');

  const secretOf = (container: Doc): string | undefined => (container?.envFrom ?? []).find((e: Doc) => e.secretRef)?.secretRef?.name;
  const configMapOf = (container: Doc): string | undefined => (container?.envFrom ?? []).find((e: Doc) => e.configMapRef)?.configMapRef?.name;
  need(secretOf(c) !== undefined, 'deployment: envFrom must take the database Secret');
  need(configMapOf(c) === configMap?.metadata?.name, 'deployment: envFrom must take the ConfigMap');
  const replicaName = (c.env ?? []).find((e: Doc) => e.name === 'FLOWSERV_REMOTE_REPLICA_NAME');
  need(replicaName?.valueFrom?.fieldRef?.fieldPath === 'metadata.name', 'deployment: FLOWSERV_REMOTE_REPLICA_NAME must be the pod name (fieldRef metadata.name)');
  need(c.readinessProbe?.grpc?.service === 'store', 'deployment: readiness must check the store health entry');

  const volumes = new Map<string, Doc>((pod.volumes ?? []).map((v: Doc) => [v.name, v]));
  const dataMount = (c.volumeMounts ?? []).find((m: Doc) => m.mountPath === data.FLOWSERV_REMOTE_DATA_DIR);
  const claimName = volumes.get(dataMount?.name)?.persistentVolumeClaim?.claimName;
  const claims = new Map<string, Doc>(of('PersistentVolumeClaim').map((p) => [p.metadata?.name, p]));
  need((claims.get(claimName)?.spec?.accessModes ?? []).includes('ReadWriteMany'), 'deployment: the data directory must be a ReadWriteMany claim of the overlay');
  for (const [name, claim] of claims) need(!(claim.spec?.accessModes ?? []).includes('ReadWriteOnce'), `pvc: ${name} is ReadWriteOnce, which replicas on several nodes cannot share`);
  const slurmRuns = data.FLOWSERV_REMOTE_SLURM_RUNS_DIR ?? `${data.FLOWSERV_REMOTE_DATA_DIR}/slurm-runs`;
  need(String(slurmRuns).startsWith(`${data.FLOWSERV_REMOTE_DATA_DIR}/`), 'configmap: the Slurm run directories must be on the shared volume');

  const jobPod = job?.spec?.template?.spec ?? {};
  const jc = (jobPod.containers ?? [])[0] ?? {};
  need(jc.image === c.image && typeof jc.image === 'string', 'job: must run the Deployment\'s image');
  need(JSON.stringify(jc.args) === JSON.stringify(['migrate']), 'job: must run `flowserv-remote migrate`');
  need(secretOf(jc) === secretOf(c) && configMapOf(jc) === configMapOf(c), 'job: must take the same ConfigMap and Secret as the replicas');
  need(['OnFailure', 'Never'].includes(jobPod.restartPolicy), 'job: restartPolicy must be OnFailure or Never');
  need((jobPod.securityContext?.runAsNonRoot ?? jc.securityContext?.runAsNonRoot) === true && jc.securityContext?.readOnlyRootFilesystem === true, 'job: must run non-root on a read-only root filesystem');
  return problems;
}

describeIfAvailable('deploy/kubernetes-ha overlay', kubectlMissing(), () => {
  it('renders with kustomize and holds every rule several replicas rely on', () => {
    expect(checkOverlay(render())).toEqual([]);
  });

  it('would catch a broken overlay', () => {
    const docs = render();
    const broken = (edit: (of: (kind: string) => Doc) => void): string[] => {
      const copy = structuredClone(docs);
      edit((kind) => copy.find((d: Doc) => d.kind === kind));
      return checkOverlay(copy);
    };
    const container = (of: (kind: string) => Doc) => of('Deployment').spec.template.spec.containers[0];
    expect(broken((of) => { of('Deployment').spec.replicas = 1; })).toEqual([expect.stringContaining('replicas')]);
    expect(broken((of) => { of('Deployment').spec.strategy = { type: 'Recreate' }; })).toEqual([
      expect.stringContaining('RollingUpdate'),
      expect.stringContaining('maxUnavailable'),
    ]);
    expect(broken((of) => { of('PodDisruptionBudget').spec.minAvailable = 1; })).toEqual([expect.stringContaining('minAvailable')]);
    expect(broken((of) => { delete of('Deployment').spec.template.spec.affinity; })).toEqual([expect.stringContaining('anti-affinity')]);
    expect(broken((of) => { of('ConfigMap').data.FLOWSERV_REMOTE_STORE = 'sqlite'; })).toEqual([
      expect.stringContaining('databaseUrl: only used with --store postgres'),
      expect.stringContaining('must be postgres'),
    ]);
    // The server itself refuses a local default engine that would strand jobs on one replica.
    expect(broken((of) => { of('ConfigMap').data.FLOWSERV_REMOTE_DEFAULT_ENGINE = 'local'; })).toEqual([
      expect.stringContaining('FLOWSERV_REMOTE_LOCAL_ENGINE=pinned'),
    ]);
    expect(broken((of) => { of('PersistentVolumeClaim').spec.accessModes = ['ReadWriteOnce']; })).toEqual([
      expect.stringContaining('ReadWriteMany'),
      expect.stringContaining('ReadWriteOnce'),
    ]);
    expect(broken((of) => { container(of).readinessProbe.grpc.service = ''; })).toEqual([expect.stringContaining('store health entry')]);
    expect(broken((of) => { container(of).env = []; })).toEqual([expect.stringContaining('pod name')]);
    expect(broken((of) => { of('Job').spec.template.spec.containers[0].envFrom = [{ configMapRef: { name: 'flowserv-remote' } }]; })).toEqual([
      expect.stringContaining('same ConfigMap and Secret'),
    ]);
  });
});
