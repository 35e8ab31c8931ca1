import type { HttpTransport } from "./http.js";
import { splitBatch, type BatchInput, type KeyValueInput } from "./batching.js";
import { listAll, listPages } from "./pagination.js";
import type { ViewType } from "./experiments.js";
import {
  EmptyResponse,
  GetMetricHistoryResponse,
  GetRunResponse,
  SearchRunsResponse,
  UpdateRunResponse,
  type Metric,
  type Run,
  type PartialRunInfo,
  type RunStatus,
} from "./schemas.js";

// Runs and their metrics: /api/2.0/mlflow/runs/* and /metrics/get-history.

export interface SearchRunsOptions {
  experimentIds: readonly string[];
  filter?: string | undefined;
  orderBy?: readonly string[] | undefined;
  viewType?: ViewType | undefined;
  /** Stop after this many runs; all when unset. */
  maxResults?: number | undefined;
  /** Runs asked per request; MLflow's default page is 1000 (cap 50000). */
  pageSize?: number | undefined;
  /** Called after each page with the runs read so far (search only), for progress display. */
  onPage?: ((runsSoFar: number) => void) | undefined;
}

export interface CreateRunOptions {
  experimentId: string;
  runName?: string | undefined;
  startTime?: number | undefined;
  tags?: Record<string, string> | undefined;
  userId?: string | undefined;
}

export interface UpdateRunOptions {
  status?: RunStatus | undefined;
  endTime?: number | undefined;
  runName?: string | undefined;
}

export interface MetricHistoryOptions {
  /** Points per request; the server's own cap is 25000. */
  pageSize?: number | undefined;
}

export const RUNS_PAGE_SIZE = 1000;
export const METRIC_HISTORY_PAGE_SIZE = 25_000;

export class RunsApi {
  constructor(private readonly http: HttpTransport) {}

  /** Every matching run, reading all pages. */
  async search(opts: SearchRunsOptions): Promise<Run[]> {
    const out: Run[] = [];
    for await (const page of this.searchPages(opts)) {
      for (const run of page) out.push(run);
      opts.onPage?.(out.length);
    }
    return out;
  }

  /** The same search, one page at a time, for callers that stream (progress bars). */
  searchPages(opts: SearchRunsOptions): AsyncGenerator<Run[]> {
    const where = `in experiment${opts.experimentIds.length === 1 ? "" : "s"} ${opts.experimentIds.join(", ")}`;
    return listPages<Run>(
      { pageSize: opts.pageSize ?? RUNS_PAGE_SIZE, limit: opts.maxResults },
      async ({ pageToken, maxResults }) => {
        const body = await this.http.json(
          {
            method: "POST",
            path: "/api/2.0/mlflow/runs/search",
            json: {
              experiment_ids: opts.experimentIds,
              filter: opts.filter,
              run_view_type: opts.viewType,
              max_results: maxResults,
              order_by: opts.orderBy,
              page_token: pageToken,
            },
            action: `searching runs ${where}${opts.filter ? ` matching ${JSON.stringify(opts.filter)}` : ""}`,
          },
          SearchRunsResponse,
        );
        return { items: body.runs, nextPageToken: body.next_page_token };
      },
    );
  }

  async get(runId: string): Promise<Run> {
    const body = await this.http.json(
      { method: "GET", path: "/api/2.0/mlflow/runs/get", query: { run_id: runId }, action: `getting run ${runId}` },
      GetRunResponse,
    );
    return body.run;
  }

  async create(opts: CreateRunOptions): Promise<Run> {
    const body = await this.http.json(
      {
        method: "POST",
        path: "/api/2.0/mlflow/runs/create",
        json: {
          experiment_id: opts.experimentId,
          run_name: opts.runName,
          start_time: opts.startTime ?? Date.now(),
          user_id: opts.userId,
          tags: keyValues(opts.tags),
        },
        action: `creating a run in experiment ${opts.experimentId}`,
      },
      GetRunResponse,
    );
    return body.run;
  }

  async update(runId: string, opts: UpdateRunOptions): Promise<PartialRunInfo> {
    const body = await this.http.json(
      {
        method: "POST",
        path: "/api/2.0/mlflow/runs/update",
        json: { run_id: runId, status: opts.status, end_time: opts.endTime, run_name: opts.runName },
        action: `updating run ${runId}`,
      },
      UpdateRunResponse,
    );
    return body.run_info ?? {};
  }

  /** Marks a run deleted (MLflow's soft delete: it leaves searches, its data stays). */
  async delete(runId: string): Promise<void> {
    await this.http.json(
      { method: "POST", path: "/api/2.0/mlflow/runs/delete", json: { run_id: runId }, action: `deleting run ${runId}` },
      EmptyResponse,
    );
  }

  async setTag(runId: string, key: string, value: string): Promise<void> {
    await this.http.json(
      {
        method: "POST",
        path: "/api/2.0/mlflow/runs/set-tag",
        json: { run_id: runId, key, value },
        action: `setting tag ${key} on run ${runId}`,
      },
      EmptyResponse,
    );
  }

  async deleteTag(runId: string, key: string): Promise<void> {
    await this.http.json(
      {
        method: "POST",
        path: "/api/2.0/mlflow/runs/delete-tag",
        json: { run_id: runId, key },
        action: `deleting tag ${key} from run ${runId}`,
      },
      EmptyResponse,
    );
  }

  /** Log any number of metrics, params and tags, in as many requests as the server's limits need. */
  async logBatch(runId: string, batch: BatchInput): Promise<number> {
    const chunks = splitBatch(batch);
    const now = Date.now();
    for (const [i, chunk] of chunks.entries()) {
      await this.http.json(
        {
          method: "POST",
          path: "/api/2.0/mlflow/runs/log-batch",
          json: {
            run_id: runId,
            metrics: chunk.metrics.map((m) => ({
              key: m.key,
              value: jsonNumber(m.value),
              timestamp: m.timestamp ?? now,
              step: m.step ?? 0,
            })),
            params: chunk.params,
            tags: chunk.tags,
          },
          action: `logging batch ${i + 1}/${chunks.length} to run ${runId}`,
        },
        EmptyResponse,
      );
    }
    return chunks.length;
  }

  async logMetric(
    runId: string,
    key: string,
    value: number,
    opts: { step?: number; timestamp?: number } = {},
  ): Promise<void> {
    await this.http.json(
      {
        method: "POST",
        path: "/api/2.0/mlflow/runs/log-metric",
        json: {
          run_id: runId,
          key,
          value: jsonNumber(value),
          timestamp: opts.timestamp ?? Date.now(),
          step: opts.step ?? 0,
        },
        action: `logging metric ${key} to run ${runId}`,
      },
      EmptyResponse,
    );
  }

  async logParam(runId: string, key: string, value: string): Promise<void> {
    await this.http.json(
      {
        method: "POST",
        path: "/api/2.0/mlflow/runs/log-parameter",
        json: { run_id: runId, key, value },
        action: `logging param ${key} to run ${runId}`,
      },
      EmptyResponse,
    );
  }

  /** Every logged point of one metric, reading all pages, in the server's order. */
  async metricHistory(runId: string, key: string, opts: MetricHistoryOptions = {}): Promise<Metric[]> {
    return listAll({ pageSize: opts.pageSize ?? METRIC_HISTORY_PAGE_SIZE }, async ({ pageToken, maxResults }) => {
      const body = await this.http.json(
        {
          method: "GET",
          path: "/api/2.0/mlflow/metrics/get-history",
          // max_results must be sent: without it the server skips pagination and sends
          // everything at once, which is fine until it is not.
          query: { run_id: runId, metric_key: key, max_results: maxResults, page_token: pageToken },
          action: `reading history of metric ${key} of run ${runId}`,
        },
        GetMetricHistoryResponse,
      );
      return { items: body.metrics, nextPageToken: body.next_page_token };
    });
  }
}

function keyValues(record: Record<string, string> | undefined): KeyValueInput[] {
  return Object.entries(record ?? {}).map(([key, value]) => ({ key, value }));
}

/** JSON has no NaN/Infinity; MLflow's proto JSON accepts them as strings. */
function jsonNumber(v: number): number | string {
  if (Number.isNaN(v)) return "NaN";
  if (v === Number.POSITIVE_INFINITY) return "Infinity";
  if (v === Number.NEGATIVE_INFINITY) return "-Infinity";
  return v;
}
