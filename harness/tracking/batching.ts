// The server refuses a log-batch request with more than 1000 metrics, 100 params,
// 100 tags, or 1000 entities in total (mlflow.utils.validation). Split any batch into
// requests that each fit, keeping the order of each kind so later metric steps never
// land before earlier ones.

export const MAX_ENTITIES_PER_BATCH = 1000;
export const MAX_METRICS_PER_BATCH = 1000;
export const MAX_PARAMS_PER_BATCH = 100;
export const MAX_TAGS_PER_BATCH = 100;

export interface MetricInput {
  key: string;
  value: number;
  timestamp?: number | undefined;
  step?: number | undefined;
}
export interface KeyValueInput {
  key: string;
  value: string;
}

export interface BatchInput {
  metrics?: readonly MetricInput[] | undefined;
  params?: readonly KeyValueInput[] | undefined;
  tags?: readonly KeyValueInput[] | undefined;
}

export interface BatchChunk {
  metrics: MetricInput[];
  params: KeyValueInput[];
  tags: KeyValueInput[];
}

export interface BatchLimits {
  entities: number;
  metrics: number;
  params: number;
  tags: number;
}

export const SERVER_BATCH_LIMITS: BatchLimits = {
  entities: MAX_ENTITIES_PER_BATCH,
  metrics: MAX_METRICS_PER_BATCH,
  params: MAX_PARAMS_PER_BATCH,
  tags: MAX_TAGS_PER_BATCH,
};

export function splitBatch(input: BatchInput, limits: BatchLimits = SERVER_BATCH_LIMITS): BatchChunk[] {
  const metrics = [...(input.metrics ?? [])];
  const params = [...(input.params ?? [])];
  const tags = [...(input.tags ?? [])];
  const chunks: BatchChunk[] = [];
  let m = 0;
  let p = 0;
  let t = 0;
  // Params and tags go first: they are capped lower, and a run's params should be on
  // the server before its metrics in case a later request fails.
  while (m < metrics.length || p < params.length || t < tags.length) {
    let room = limits.entities;
    const pn = Math.min(params.length - p, limits.params, room);
    room -= pn;
    const tn = Math.min(tags.length - t, limits.tags, room);
    room -= tn;
    const mn = Math.min(metrics.length - m, limits.metrics, room);
    chunks.push({
      params: params.slice(p, p + pn),
      tags: tags.slice(t, t + tn),
      metrics: metrics.slice(m, m + mn),
    });
    p += pn;
    t += tn;
    m += mn;
  }
  return chunks;
}
