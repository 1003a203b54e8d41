/**
 * The fields of a Kubernetes batch/v1 Job that deploy/k8s/ uses, as a strict zod schema taken from the
 * Kubernetes API reference (JobSpec, PodSpec, Container, Volume). Unknown fields are errors here, so a typo
 * (`completionmode`) or a field in the wrong place is caught; it is not the whole OpenAPI schema (see
 * docs/scale-out.md: the npm package kubernetes-models would validate against that).
 */
import { z } from 'zod';

/** RFC 1123 label: what Kubernetes requires of container, volume and (Indexed) Job names. */
const dnsLabel = z.string().max(63).regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
/** resource.Quantity: 2, 500m, 2Gi, 1.5G … */
const quantity = z.string().regex(/^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/);
const labels = z.record(z.string().max(317), z.string().max(63));

const container = z.strictObject({
  name: dnsLabel,
  image: z.string().min(1),
  command: z.array(z.string()).min(1),
  args: z.array(z.string()).optional(),
  env: z.array(z.strictObject({ name: z.string().regex(/^[-._a-zA-Z][-._a-zA-Z0-9]*$/), value: z.string() })).optional(),
  resources: z.strictObject({ requests: z.partialRecord(z.enum(['cpu', 'memory', 'ephemeral-storage']), quantity).optional(), limits: z.partialRecord(z.enum(['cpu', 'memory', 'ephemeral-storage']), quantity).optional() }).optional(),
  volumeMounts: z.array(z.strictObject({ name: dnsLabel, mountPath: z.string().startsWith('/'), readOnly: z.boolean().optional() })).optional(),
});

const volume = z.union([
  z.strictObject({ name: dnsLabel, configMap: z.strictObject({ name: dnsLabel }) }),
  z.strictObject({ name: dnsLabel, persistentVolumeClaim: z.strictObject({ claimName: dnsLabel, readOnly: z.boolean().optional() }) }),
  z.strictObject({ name: dnsLabel, emptyDir: z.strictObject({ sizeLimit: quantity.optional() }) }),
]);

export const jobSchema = z.strictObject({
  apiVersion: z.literal('batch/v1'),
  kind: z.literal('Job'),
  metadata: z.strictObject({ name: dnsLabel, labels: labels.optional() }),
  spec: z.strictObject({
    completionMode: z.enum(['NonIndexed', 'Indexed']).optional(),
    completions: z.number().int().min(1),
    parallelism: z.number().int().min(0),
    backoffLimit: z.number().int().min(0).optional(),
    template: z.strictObject({
      metadata: z.strictObject({ labels: labels.optional() }).optional(),
      spec: z.strictObject({
        // a Job's pods may not use Always
        restartPolicy: z.enum(['Never', 'OnFailure']),
        containers: z.array(container).min(1),
        volumes: z.array(volume).optional(),
      }),
    }),
  }),
});

export type Job = z.infer<typeof jobSchema>;
