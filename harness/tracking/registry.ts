import type { z } from "zod";
import type { HttpTransport } from "./http.js";
import { listAll } from "./pagination.js";
import {
  EmptyResponse,
  GetModelVersionResponse,
  GetRegisteredModelResponse,
  SearchModelVersionsResponse,
  SearchRegisteredModelsResponse,
  type ModelVersion,
  type RegisteredModel,
} from "./schemas.js";

// The model registry: /api/2.0/mlflow/registered-models/* and /model-versions/*.

export interface RegistrySearchOptions {
  filter?: string | undefined;
  orderBy?: readonly string[] | undefined;
  pageSize?: number | undefined;
  /** Stop after this many items; all when unset. */
  maxResults?: number | undefined;
}

// Server caps: 1000 registered models per page, 200000 model versions (default 10000).
export const REGISTERED_MODELS_PAGE_SIZE = 1000;
export const MODEL_VERSIONS_PAGE_SIZE = 10_000;

export class RegistryApi {
  constructor(private readonly http: HttpTransport) {}

  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    const body = await this.http.json(
      {
        method: "GET",
        path: "/api/2.0/mlflow/registered-models/get",
        query: { name },
        action: `getting registered model ${JSON.stringify(name)}`,
      },
      GetRegisteredModelResponse,
    );
    return body.registered_model;
  }

  async searchRegisteredModels(opts: RegistrySearchOptions = {}): Promise<RegisteredModel[]> {
    return this.search(
      {
        noun: "registered models",
        path: "/api/2.0/mlflow/registered-models/search",
        pageSize: REGISTERED_MODELS_PAGE_SIZE,
      },
      SearchRegisteredModelsResponse,
      (body) => body.registered_models,
      opts,
    );
  }

  /** Model versions matching an MLflow filter such as `name='Wine'` or `run_id='...'`. */
  async searchModelVersions(opts: RegistrySearchOptions = {}): Promise<ModelVersion[]> {
    return this.search(
      { noun: "model versions", path: "/api/2.0/mlflow/model-versions/search", pageSize: MODEL_VERSIONS_PAGE_SIZE },
      SearchModelVersionsResponse,
      (body) => body.model_versions,
      opts,
    );
  }

  async getModelVersion(name: string, version: string): Promise<ModelVersion> {
    const body = await this.http.json(
      {
        method: "GET",
        path: "/api/2.0/mlflow/model-versions/get",
        query: { name, version },
        action: `getting version ${version} of model ${JSON.stringify(name)}`,
      },
      GetModelVersionResponse,
    );
    return body.model_version;
  }

  async getModelVersionByAlias(name: string, alias: string): Promise<ModelVersion> {
    const body = await this.http.json(
      {
        method: "GET",
        path: "/api/2.0/mlflow/registered-models/alias",
        query: { name, alias },
        action: `resolving alias @${alias} of model ${JSON.stringify(name)}`,
      },
      GetModelVersionResponse,
    );
    return body.model_version;
  }

  async setModelVersionTag(name: string, version: string, key: string, value: string): Promise<void> {
    await this.http.json(
      {
        method: "POST",
        path: "/api/2.0/mlflow/model-versions/set-tag",
        json: { name, version, key, value },
        action: `setting tag ${key} on version ${version} of model ${JSON.stringify(name)}`,
      },
      EmptyResponse,
    );
  }

  /** Sets the version's description (Markdown in MLflow's UI); returns the version as updated. */
  async updateModelVersionDescription(name: string, version: string, description: string): Promise<ModelVersion> {
    const body = await this.http.json(
      {
        method: "PATCH",
        path: "/api/2.0/mlflow/model-versions/update",
        json: { name, version, description },
        action: `updating the description of version ${version} of model ${JSON.stringify(name)}`,
      },
      // UpdateModelVersion answers as GetModelVersion does: { model_version }
      GetModelVersionResponse,
    );
    return body.model_version;
  }

  // Both registry searches take the same query (filter, order_by, paging) and differ
  // only in endpoint, server cap and the key that holds the items.
  private async search<B extends { next_page_token?: string | undefined }, T>(
    endpoint: { noun: string; path: string; pageSize: number },
    schema: z.ZodType<B>,
    itemsOf: (body: B) => T[],
    opts: RegistrySearchOptions,
  ): Promise<T[]> {
    return listAll(
      { pageSize: opts.pageSize ?? endpoint.pageSize, limit: opts.maxResults },
      async ({ pageToken, maxResults }) => {
        const body = await this.http.json(
          {
            method: "GET",
            path: endpoint.path,
            query: { filter: opts.filter, max_results: maxResults, order_by: opts.orderBy, page_token: pageToken },
            action: `searching ${endpoint.noun}${opts.filter ? ` matching ${JSON.stringify(opts.filter)}` : ""}`,
          },
          schema,
        );
        return { items: itemsOf(body), nextPageToken: body.next_page_token };
      },
    );
  }
}
