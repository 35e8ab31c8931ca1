import type { HttpTransport } from "./http.js";
import { MlflowError } from "./errors.js";
import { listAll } from "./pagination.js";
import {
  CreateExperimentResponse,
  GetExperimentResponse,
  SearchExperimentsResponse,
  type Experiment,
} from "./schemas.js";

// Experiments: /api/2.0/mlflow/experiments/*.

export type ViewType = "ACTIVE_ONLY" | "DELETED_ONLY" | "ALL";

export interface SearchExperimentsOptions {
  filter?: string | undefined;
  orderBy?: readonly string[] | undefined;
  viewType?: ViewType | undefined;
  /** Stop after this many; all when unset. */
  maxResults?: number | undefined;
  /** Page size asked of the server (its cap is 50000). */
  pageSize?: number | undefined;
}

export const EXPERIMENTS_PAGE_SIZE = 1000;

export class ExperimentsApi {
  constructor(private readonly http: HttpTransport) {}

  async getByName(name: string): Promise<Experiment | undefined> {
    try {
      const body = await this.http.json(
        {
          method: "GET",
          path: "/api/2.0/mlflow/experiments/get-by-name",
          query: { experiment_name: name },
          action: `looking up experiment ${JSON.stringify(name)}`,
        },
        GetExperimentResponse,
      );
      return body.experiment;
    } catch (err) {
      if (err instanceof MlflowError && err.isNotFound) return undefined;
      throw err;
    }
  }

  async get(id: string): Promise<Experiment> {
    const body = await this.http.json(
      {
        method: "GET",
        path: "/api/2.0/mlflow/experiments/get",
        query: { experiment_id: id },
        action: `getting experiment ${id}`,
      },
      GetExperimentResponse,
    );
    return body.experiment;
  }

  async search(opts: SearchExperimentsOptions = {}): Promise<Experiment[]> {
    return listAll(
      { pageSize: opts.pageSize ?? EXPERIMENTS_PAGE_SIZE, limit: opts.maxResults },
      async ({ pageToken, maxResults }) => {
        const body = await this.http.json(
          {
            method: "POST",
            path: "/api/2.0/mlflow/experiments/search",
            json: {
              max_results: maxResults,
              filter: opts.filter,
              order_by: opts.orderBy,
              view_type: opts.viewType,
              page_token: pageToken,
            },
            action: `searching experiments${opts.filter ? ` matching ${JSON.stringify(opts.filter)}` : ""}`,
          },
          SearchExperimentsResponse,
        );
        return { items: body.experiments, nextPageToken: body.next_page_token };
      },
    );
  }

  async create(name: string, tags: Record<string, string> = {}): Promise<string> {
    const body = await this.http.json(
      {
        method: "POST",
        path: "/api/2.0/mlflow/experiments/create",
        json: { name, tags: Object.entries(tags).map(([key, value]) => ({ key, value })) },
        action: `creating experiment ${JSON.stringify(name)}`,
      },
      CreateExperimentResponse,
    );
    return body.experiment_id;
  }

  /** The experiment of that name, created if missing (a concurrent creator is tolerated). */
  async getOrCreate(name: string): Promise<Experiment> {
    const found = await this.getByName(name);
    if (found) return found;
    try {
      return await this.get(await this.create(name));
    } catch (err) {
      if (err instanceof MlflowError && err.errorCode === "RESOURCE_ALREADY_EXISTS") {
        const again = await this.getByName(name);
        if (again) return again;
      }
      throw err;
    }
  }
}
