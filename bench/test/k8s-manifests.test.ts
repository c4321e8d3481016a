import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { loadConfig as loadApiConfig } from '../../packages/api/src/config.js';
import { loadDbScriptEnv } from '../../packages/db/src/env.js';
import { loadConfig as loadWorkerConfig } from '../../packages/worker/src/config.js';

/**
 * What `kubectl apply --dry-run=client` would check, and some of what the API server would:
 * every document of deploy/k8s/*.yaml is validated against the Kubernetes OpenAPI schema of its
 * kind (kubernetes-models' generated validators: types, required fields, enums, formats), then
 * cross-checked: references resolve, probes hit the real endpoints, grace periods cover the
 * configured shutdown, and the environment the manifests give each process passes that
 * process's own config schema. Not checked: unknown fields (the generated validators allow
 * them, where kubectl's strict field validation would not), admission policies and quotas.
 */
const dir = fileURLToPath(new URL('../../deploy/k8s/', import.meta.url));

const validators: Record<string, (doc: unknown) => void> = {
  'v1/ConfigMap': (doc) => new ConfigMap(z.record(z.string(), z.unknown()).parse(doc)).validate(),
  'v1/Secret': (doc) => new Secret(z.record(z.string(), z.unknown()).parse(doc)).validate(),
  'v1/Service': (doc) => new Service(z.record(z.string(), z.unknown()).parse(doc)).validate(),
  'apps/v1/Deployment': (doc) => new Deployment(z.record(z.string(), z.unknown()).parse(doc)).validate(),
  'batch/v1/Job': (doc) => new Job(z.record(z.string(), z.unknown()).parse(doc)).validate(),
  'policy/v1/PodDisruptionBudget': (doc) =>
    new PodDisruptionBudget(z.record(z.string(), z.unknown()).parse(doc)).validate(),
  'autoscaling/v2/HorizontalPodAutoscaler': (doc) =>
    new HorizontalPodAutoscaler(z.record(z.string(), z.unknown()).parse(doc)).validate(),
};

// Only the fields the cross-checks read; the schema validation above covers the rest.
const meta = z.object({ apiVersion: z.string(), kind: z.string(), metadata: z.object({ name: z.string() }) });
const labels = z.record(z.string(), z.string());
const probe = z.object({ httpGet: z.object({ path: z.string(), port: z.union([z.string(), z.number()]) }) });
const container = z.object({
  name: z.string(),
  ports: z.array(z.object({ name: z.string(), containerPort: z.number() })).default([]),
  envFrom: z
    .array(
      z.object({
        configMapRef: z.object({ name: z.string() }).optional(),
        secretRef: z.object({ name: z.string() }).optional(),
      }),
    )
    .default([]),
  env: z.array(z.object({ name: z.string(), value: z.string() })).default([]),
  resources: z.object({
    requests: z.object({ cpu: z.string(), memory: z.string() }),
    limits: z.object({ cpu: z.string(), memory: z.string() }),
  }),
  securityContext: z.object({
    allowPrivilegeEscalation: z.literal(false),
    readOnlyRootFilesystem: z.literal(true),
    runAsNonRoot: z.literal(true),
    capabilities: z.object({ drop: z.array(z.string()) }),
  }),
  startupProbe: probe.optional(),
  livenessProbe: probe.optional(),
  readinessProbe: probe.optional(),
  lifecycle: z.object({ preStop: z.object({ exec: z.object({ command: z.array(z.string()) }) }) }).optional(),
  volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string() })).default([]),
});
const podTemplate = z.object({
  metadata: z.object({ labels }),
  spec: z.object({
    terminationGracePeriodSeconds: z.number().optional(),
    securityContext: z.object({ runAsNonRoot: z.literal(true), runAsUser: z.number().min(1) }),
    containers: z.array(container).min(1),
    volumes: z.array(z.object({ name: z.string(), emptyDir: z.object({}).passthrough().optional() })).default([]),
  }),
});
const deploymentShape = meta.extend({
  spec: z.object({ selector: z.object({ matchLabels: labels }), template: podTemplate }),
});
const jobShape = meta.extend({ spec: z.object({ template: podTemplate }) });
const configMapShape = meta.extend({ data: z.record(z.string(), z.string()) });
const secretShape = meta.extend({ stringData: z.record(z.string(), z.string()) });
const serviceShape = meta.extend({
  spec: z.object({
    selector: labels,
    ports: z.array(z.object({ port: z.number(), targetPort: z.union([z.string(), z.number()]) })),
  }),
});
const hpaShape = meta.extend({
  spec: z.object({
    scaleTargetRef: z.object({ kind: z.string(), name: z.string() }),
    minReplicas: z.number(),
    maxReplicas: z.number(),
  }),
});
const pdbShape = meta.extend({ spec: z.object({ selector: z.object({ matchLabels: labels }) }) });

interface Loaded {
  file: string;
  doc: unknown;
  key: string;
  name: string;
}

function loadManifests(): Loaded[] {
  const loaded: Loaded[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .sort()) {
    for (const document of parseAllDocuments(readFileSync(`${dir}${file}`, 'utf8'))) {
      if (document.errors.length) throw new Error(`${file}: ${document.errors.map((e) => e.message).join('; ')}`);
      const doc: unknown = document.toJS();
      const m = meta.parse(doc);
      loaded.push({ file, doc, key: `${m.apiVersion}/${m.kind}`, name: m.metadata.name });
    }
  }
  return loaded;
}

const manifests = loadManifests();
const one = <T extends z.ZodType>(key: string, name: string, shape: T): z.output<T> => {
  const found = manifests.find((m) => m.key === key && m.name === name);
  if (!found) throw new Error(`no ${key} named ${name}`);
  return shape.parse(found.doc);
};

const configMap = one('v1/ConfigMap', 'inkwell-config', configMapShape);
const secret = one('v1/Secret', 'inkwell-secrets', secretShape);
const api = one('apps/v1/Deployment', 'inkwell-api', deploymentShape);
const worker = one('apps/v1/Deployment', 'inkwell-worker', deploymentShape);
const migrate = one('batch/v1/Job', 'inkwell-migrate', jobShape);

/** The environment a container gets: envFrom ConfigMaps/Secrets of this set, then its own env. */
function environmentOf(c: z.output<typeof container>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of c.envFrom) {
    if (source.configMapRef) Object.assign(env, one('v1/ConfigMap', source.configMapRef.name, configMapShape).data);
    if (source.secretRef) Object.assign(env, one('v1/Secret', source.secretRef.name, secretShape).stringData);
  }
  for (const variable of c.env) env[variable.name] = variable.value;
  return env;
}

function only<T>(list: T[]): T {
  expect(list).toHaveLength(1);
  const [first] = list;
  if (first === undefined) throw new Error('empty list');
  return first;
}

function preStopSeconds(c: z.output<typeof container>): number {
  const command = c.lifecycle?.preStop.exec.command ?? [];
  if (command.length === 0) return 0;
  expect(command[0]).toBe('sleep');
  return Number(command[1]);
}

describe('deploy/k8s manifests', () => {
  it('parse, and each document is valid against the Kubernetes schema of its kind', () => {
    expect(manifests.length).toBeGreaterThanOrEqual(9);
    for (const manifest of manifests) {
      const validate = validators[manifest.key];
      if (!validate) throw new Error(`${manifest.file}: no schema for ${manifest.key}`);
      expect(() => validate(manifest.doc), `${manifest.file} ${manifest.key} ${manifest.name}`).not.toThrow();
    }
  });

  it('the schema check rejects a broken document (negative control)', () => {
    const broken = structuredClone(
      manifests.find((m) => m.name === 'inkwell-api' && m.key === 'apps/v1/Deployment')?.doc,
    );
    const spec = z
      .object({ spec: z.object({ replicas: z.unknown() }).passthrough() })
      .passthrough()
      .parse(broken);
    spec.spec.replicas = 'two';
    expect(() => validators['apps/v1/Deployment']?.(spec)).toThrow(/replicas/);
    const { selector: _selector, ...withoutSelector } = deploymentShape.parse(broken).spec;
    expect(() => validators['apps/v1/Deployment']?.({ ...spec, spec: withoutSelector })).toThrow(/selector/);
  });

  it('kustomization lists every manifest except the migrate Job', () => {
    const kustomization = z
      .object({ resources: z.array(z.string()) })
      .parse(only(parseAllDocuments(readFileSync(`${dir}kustomization.yaml`, 'utf8'))).toJS());
    const files = [...new Set(manifests.map((m) => m.file))].filter((f) => f !== 'migrate-job.yaml');
    expect([...kustomization.resources].sort()).toEqual(files.sort());
  });

  it('every pod runs non-root on a read-only root filesystem with resources and a writable /tmp', () => {
    for (const workload of [api, worker, migrate]) {
      const pod = workload.spec.template.spec;
      for (const c of pod.containers) {
        expect(c.securityContext.capabilities.drop).toContain('ALL');
        const tmp = c.volumeMounts.find((v) => v.mountPath === '/tmp');
        expect(tmp, `${workload.metadata.name}: /tmp`).toBeDefined();
        expect(pod.volumes.find((v) => v.name === tmp?.name)?.emptyDir).toBeDefined();
      }
    }
  });

  it('deployments select their own pods; Service, HPA and PDB point at real targets', () => {
    for (const deployment of [api, worker]) {
      expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    }
    const service = one('v1/Service', 'inkwell-api', serviceShape);
    expect(api.spec.template.metadata.labels).toMatchObject(service.spec.selector);
    const apiPorts = only(api.spec.template.spec.containers).ports.map((p) => p.name);
    for (const port of service.spec.ports) expect(apiPorts).toContain(port.targetPort);

    const hpas = manifests
      .filter((m) => m.key === 'autoscaling/v2/HorizontalPodAutoscaler')
      .map((m) => hpaShape.parse(m.doc));
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(['inkwell-api', 'inkwell-worker']);
    for (const hpa of hpas) {
      expect(hpa.spec.scaleTargetRef.kind).toBe('Deployment');
      expect(hpa.spec.minReplicas).toBeLessThanOrEqual(hpa.spec.maxReplicas);
    }
    const pdb = one('policy/v1/PodDisruptionBudget', 'inkwell-api', pdbShape);
    expect(api.spec.template.metadata.labels).toMatchObject(pdb.spec.selector.matchLabels);
  });

  it('probes hit /healthz and /readyz on declared ports', () => {
    const apiContainer = only(api.spec.template.spec.containers);
    const apiPorts = apiContainer.ports.map((p) => p.name);
    expect(apiContainer.livenessProbe?.httpGet.path).toBe('/healthz');
    expect(apiContainer.startupProbe?.httpGet.path).toBe('/healthz');
    expect(apiContainer.readinessProbe?.httpGet.path).toBe('/readyz');
    for (const p of [apiContainer.livenessProbe, apiContainer.readinessProbe, apiContainer.startupProbe]) {
      expect(apiPorts).toContain(p?.httpGet.port);
    }
    // The worker serves /healthz (and /metrics) on its own port; it takes no traffic, so no readiness.
    const workerContainer = only(worker.spec.template.spec.containers);
    expect(workerContainer.livenessProbe?.httpGet.path).toBe('/healthz');
    const metricsPort = workerContainer.ports.find((p) => p.name === workerContainer.livenessProbe?.httpGet.port);
    expect(String(metricsPort?.containerPort)).toBe(environmentOf(workerContainer).WORKER_METRICS_PORT);
  });

  it('grace periods cover preStop + drain delay + SHUTDOWN_TIMEOUT_MS + closing connections', () => {
    const closeMarginS = 5;
    for (const deployment of [api, worker]) {
      const c = only(deployment.spec.template.spec.containers);
      const env = environmentOf(c);
      const shutdownS = (Number(env.SHUTDOWN_TIMEOUT_MS) + Number(env.SHUTDOWN_DRAIN_DELAY_MS ?? 0)) / 1000;
      expect(shutdownS).toBeGreaterThan(0);
      expect(deployment.spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(
        preStopSeconds(c) + shutdownS + closeMarginS,
      );
    }
    // The api keeps serving while endpoints drop it: a preStop delay before SIGTERM.
    expect(preStopSeconds(only(api.spec.template.spec.containers))).toBeGreaterThan(0);
  });

  it("each process's own config schema accepts the environment the manifests give it", () => {
    const apiEnv = environmentOf(only(api.spec.template.spec.containers));
    const apiConfig = loadApiConfig(apiEnv);
    expect(apiConfig.env).toBe('production');
    expect(apiConfig.http).toMatchObject({ host: '0.0.0.0', port: 3000, trustProxyHops: 1 });
    const workerConfig = loadWorkerConfig(environmentOf(only(worker.spec.template.spec.containers)));
    expect(workerConfig.env).toBe('production');
    expect(loadDbScriptEnv(environmentOf(only(migrate.spec.template.spec.containers))).databaseUrl).toMatch(
      /^postgres:/,
    );
    // Secrets stay placeholders in the repository.
    for (const value of Object.values(secret.stringData)) expect(value).toContain('REPLACE_ME');
    expect(Object.keys(configMap.data)).not.toContain('JWT_SECRET');
  });
});
