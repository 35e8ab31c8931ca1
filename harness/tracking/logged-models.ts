import type { HttpTransport } from "./http.js";
import { listAll } from "./pagination.js";
import { GetLoggedModelResponse, SearchLoggedModelsResponse, type LoggedModel } from "./schemas.js";

// MLflow 3 logged models: /api/2.0/mlflow/logged-models/*. A model's files (MLmodel,
// requirements.txt, python_env.yaml, conda.yaml) live under its own artifact_uri, not
// the run's; the client reads them through the artifact proxy like run artifacts.

export interface SearchLoggedModelsOptions {
  experimentIds: readonly string[];
  filter?: string | undefined;
  orderBy?: readonly { fieldName: string; ascending?: boolean | undefined }[] | undefined;
  /** Models asked per request (server default 100). */
  pageSize?: number | undefined;
  /** Stop after this many models; all when unset. */
  maxResults?: number | undefined;
}

export const LOGGED_MODELS_PAGE_SIZE = 100;

export class LoggedModelsApi {
  constructor(private readonly http: HttpTransport) {}

  async get(modelId: string): Promise<LoggedModel> {
    const body = await this.http.json(
      {
        method: "GET",
        path: `/api/2.0/mlflow/logged-models/${encodeURIComponent(modelId)}`,
        action: `getting logged model ${modelId}`,
      },
      GetLoggedModelResponse,
    );
    return body.model;
  }

  async search(opts: SearchLoggedModelsOptions): Promise<LoggedModel[]> {
    return listAll(
      { pageSize: opts.pageSize ?? LOGGED_MODELS_PAGE_SIZE, limit: opts.maxResults },
      async ({ pageToken, maxResults }) => {
        const body = await this.http.json(
          {
            method: "POST",
            path: "/api/2.0/mlflow/logged-models/search",
            json: {
              experiment_ids: opts.experimentIds,
              filter: opts.filter,
              order_by: opts.orderBy?.map((o) => ({ field_name: o.fieldName, ascending: o.ascending ?? true })),
              max_results: maxResults,
              page_token: pageToken,
            },
            action: `searching logged models in experiments ${opts.experimentIds.join(", ")}`,
          },
          SearchLoggedModelsResponse,
        );
        return { items: body.models, nextPageToken: body.next_page_token };
      },
    );
  }
}
