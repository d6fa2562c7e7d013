import { z } from 'zod';
import type { Manifest } from './manifests.js';

const SecurityContext = z
  .object({
    runAsNonRoot: z.boolean().optional(),
    runAsUser: z.number().optional(),
    allowPrivilegeEscalation: z.boolean().optional(),
    readOnlyRootFilesystem: z.boolean().optional(),
    privileged: z.boolean().optional(),
    capabilities: z.object({ drop: z.array(z.string()).optional(), add: z.array(z.string()).optional() }).optional(),
  })
  .optional();

const Container = z.object({
  name: z.string(),
  securityContext: SecurityContext,
  volumeMounts: z.array(z.object({ name: z.string(), mountPath: z.string() })).default([]),
  ports: z.array(z.object({ name: z.string(), containerPort: z.number() })).default([]),
  envFrom: z.array(z.object({ configMapRef: z.object({ name: z.string() }) })).default([]),
});

const Volume = z.object({
  name: z.string(),
  secret: z.object({ secretName: z.string(), items: z.array(z.object({ key: z.string(), path: z.string() })).optional() }).optional(),
  configMap: z.object({ name: z.string() }).optional(),
  emptyDir: z.looseObject({}).optional(),
});

/** The parts of a StatefulSet or Deployment the checks look at. */
export const Workload = z.object({
  kind: z.enum(['StatefulSet', 'Deployment']),
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    volumeClaimTemplates: z.array(z.object({ metadata: z.object({ name: z.string() }) })).default([]),
    template: z.object({
      spec: z.object({
        securityContext: SecurityContext,
        containers: z.array(Container),
        initContainers: z.array(Container).default([]),
        volumes: z.array(Volume).default([]),
      }),
    }),
  }),
});
export type Workload = z.infer<typeof Workload>;
export type Container = z.infer<typeof Container>;

export const isWorkload = (m: Manifest): boolean => m.kind === 'StatefulSet' || m.kind === 'Deployment';

/** Every container of a workload, init containers included. */
export const containersOf = (w: Workload): Container[] => [...w.spec.template.spec.initContainers, ...w.spec.template.spec.containers];

type Context = NonNullable<z.infer<typeof SecurityContext>>;

/** Each way a container may run as root or gain privileges, given its own and its pod's security context. */
const ROOT_CHECKS: Array<[string, (own: Context, pod: Context) => boolean]> = [
  ['runAsNonRoot is not true', (own, pod) => (own.runAsNonRoot ?? pod.runAsNonRoot) !== true],
  ['no non-zero runAsUser', (own, pod) => [undefined, 0].includes(own.runAsUser ?? pod.runAsUser)],
  ['privileged', (own) => own.privileged === true],
  ['allowPrivilegeEscalation is not false', (own) => own.allowPrivilegeEscalation !== false],
  ['capabilities not all dropped', (own) => !(own.capabilities?.drop ?? []).includes('ALL') || (own.capabilities?.add ?? []).length > 0],
  ['root filesystem writable', (own) => own.readOnlyRootFilesystem !== true],
];

/** Why a container may run as root or gain privileges, or undefined when it may not. */
export function rootProblem(w: Workload, c: Container): string | undefined {
  const pod = w.spec.template.spec.securityContext ?? {};
  const own = c.securityContext ?? {};
  return ROOT_CHECKS.find(([, fails]) => fails(own, pod))?.[0];
}

const PortRef = z.union([z.number(), z.string()]);
export const Service = z.object({
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    type: z.string().default('ClusterIP'),
    selector: z.record(z.string(), z.string()),
    ports: z.array(z.object({ name: z.string().optional(), port: z.number(), targetPort: PortRef.optional() })),
  }),
});

const Peer = z.object({
  podSelector: z.looseObject({}).optional(),
  namespaceSelector: z.looseObject({}).optional(),
  ipBlock: z.object({ cidr: z.string() }).optional(),
});
export const NetworkPolicy = z.object({
  metadata: z.object({ name: z.string() }),
  spec: z.object({
    podSelector: z.object({ matchLabels: z.record(z.string(), z.string()).default({}) }),
    ingress: z.array(z.object({ from: z.array(Peer).default([]), ports: z.array(z.object({ port: PortRef })).default([]) })).default([]),
  }),
});
export type NetworkPolicy = z.infer<typeof NetworkPolicy>;
