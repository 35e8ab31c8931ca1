import { z } from "zod";

// Zod schemas of MLflow's REST answers, in MLflow's own wire shape (snake_case, as the
// server's protobuf-to-JSON conversion writes it). That conversion omits empty repeated
// fields and unset optional scalars, so lists default to [] and scalars are optional;
// but where a field is present its type is checked strictly. int64 fields (timestamps,
// steps) arrive as JSON strings or numbers depending on the server, so they are coerced
// to numbers. Unknown fields are allowed (passthrough of zod's default strip), so a newer
// server that adds fields does not break the client.

/** int64 in proto3 JSON may be a string ("1700000000000") or a number. */
const Int64 = z.union([z.number().int(), z.string().regex(/^-?\d+$/)]).transform((v) => Number(v));

/** Metric values are doubles; proto JSON writes NaN/Infinity as strings. */
const Double = z.union([
  z.number(),
  z
    .enum(["NaN", "Infinity", "-Infinity"])
    .transform((v) =>
      v === "NaN" ? Number.NaN : v === "Infinity" ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY,
    ),
]);

const list = <T extends z.ZodTypeAny>(item: T) => z.array(item).default([]);

const KeyValueSchema = z.object({ key: z.string(), value: z.string().default("") });

const ExperimentTagSchema = KeyValueSchema;

export const ExperimentSchema = z.object({
  experiment_id: z.string(),
  name: z.string(),
  artifact_location: z.string().optional(),
  lifecycle_stage: z.string().optional(),
  last_update_time: Int64.optional(),
  creation_time: Int64.optional(),
  tags: list(ExperimentTagSchema),
});
export type Experiment = z.infer<typeof ExperimentSchema>;

export const RunStatusSchema = z.enum(["RUNNING", "SCHEDULED", "FINISHED", "FAILED", "KILLED"]);
export type RunStatus = z.infer<typeof RunStatusSchema>;

export const RunInfoSchema = z.object({
  run_id: z.string(),
  run_uuid: z.string().optional(),
  run_name: z.string().optional(),
  experiment_id: z.string(),
  user_id: z.string().optional(),
  status: RunStatusSchema.optional(),
  start_time: Int64.optional(),
  end_time: Int64.optional(),
  artifact_uri: z.string().optional(),
  lifecycle_stage: z.string().optional(),
});

export const MetricSchema = z.object({
  key: z.string(),
  value: Double,
  timestamp: Int64.default(0),
  step: Int64.default(0),
  // MLflow 3 links metrics to datasets and logged models; absent on plain run metrics.
  dataset_name: z.string().optional(),
  dataset_digest: z.string().optional(),
  model_id: z.string().optional(),
  run_id: z.string().optional(),
});
export type Metric = z.infer<typeof MetricSchema>;

const ParamSchema = KeyValueSchema;

const RunTagSchema = KeyValueSchema;

export const RunDataSchema = z.object({
  metrics: list(MetricSchema),
  params: list(ParamSchema),
  tags: list(RunTagSchema),
});

const InputTagSchema = KeyValueSchema;

export const DatasetSchema = z.object({
  name: z.string(),
  digest: z.string(),
  source_type: z.string().optional(),
  source: z.string().optional(),
  schema: z.string().optional(),
  profile: z.string().optional(),
});

export const DatasetInputSchema = z.object({
  tags: list(InputTagSchema),
  dataset: DatasetSchema,
});

export const ModelInputSchema = z.object({ model_id: z.string() });

export const RunInputsSchema = z.object({
  dataset_inputs: list(DatasetInputSchema),
  model_inputs: list(ModelInputSchema),
});

export const ModelOutputSchema = z.object({ model_id: z.string(), step: Int64.default(0) });

export const RunOutputsSchema = z.object({ model_outputs: list(ModelOutputSchema) });

export const RunSchema = z.object({
  info: RunInfoSchema,
  data: RunDataSchema.default({ metrics: [], params: [], tags: [] }),
  inputs: RunInputsSchema.default({ dataset_inputs: [], model_inputs: [] }),
  outputs: RunOutputsSchema.default({ model_outputs: [] }),
});
export type Run = z.infer<typeof RunSchema>;

export const FileInfoSchema = z.object({
  path: z.string(),
  is_dir: z.boolean().default(false),
  file_size: Int64.optional(),
});
export type FileInfo = z.infer<typeof FileInfoSchema>;

const RegisteredModelTagSchema = KeyValueSchema;
const ModelVersionTagSchema = KeyValueSchema;

export const RegisteredModelAliasSchema = z.object({ alias: z.string(), version: z.string() });

export const ModelVersionSchema = z.object({
  name: z.string(),
  version: z.string(),
  creation_timestamp: Int64.optional(),
  last_updated_timestamp: Int64.optional(),
  user_id: z.string().optional(),
  current_stage: z.string().optional(),
  description: z.string().optional(),
  source: z.string().optional(),
  run_id: z.string().optional(),
  status: z.string().optional(),
  status_message: z.string().optional(),
  run_link: z.string().optional(),
  // MLflow 3: the logged model this version was registered from.
  model_id: z.string().optional(),
  tags: list(ModelVersionTagSchema),
  aliases: list(z.string()),
});
export type ModelVersion = z.infer<typeof ModelVersionSchema>;

export const RegisteredModelSchema = z.object({
  name: z.string(),
  creation_timestamp: Int64.optional(),
  last_updated_timestamp: Int64.optional(),
  user_id: z.string().optional(),
  description: z.string().optional(),
  latest_versions: list(ModelVersionSchema),
  tags: list(RegisteredModelTagSchema),
  aliases: list(RegisteredModelAliasSchema),
});
export type RegisteredModel = z.infer<typeof RegisteredModelSchema>;

export const LoggedModelStatusSchema = z.string();

const LoggedModelTagSchema = KeyValueSchema;
const LoggedModelParameterSchema = KeyValueSchema;

export const LoggedModelInfoSchema = z.object({
  model_id: z.string(),
  experiment_id: z.string(),
  name: z.string(),
  creation_timestamp_ms: Int64.optional(),
  last_updated_timestamp_ms: Int64.optional(),
  artifact_uri: z.string(),
  status: LoggedModelStatusSchema.optional(),
  creator_id: z.union([z.string(), z.number()]).transform(String).optional(),
  model_type: z.string().optional(),
  source_run_id: z.string().optional(),
  status_message: z.string().optional(),
  tags: list(LoggedModelTagSchema),
  registrations: list(z.object({ name: z.string(), version: z.string() }).loose()),
});

export const LoggedModelDataSchema = z.object({
  params: list(LoggedModelParameterSchema),
  metrics: list(MetricSchema),
});

export const LoggedModelSchema = z.object({
  info: LoggedModelInfoSchema,
  data: LoggedModelDataSchema.default({ params: [], metrics: [] }),
});
export type LoggedModel = z.infer<typeof LoggedModelSchema>;

// ---- Response envelopes (one per endpoint the client calls) ----

const token = z.string().optional();

export const GetExperimentResponse = z.object({ experiment: ExperimentSchema });
export const CreateExperimentResponse = z.object({ experiment_id: z.string() });
export const SearchExperimentsResponse = z.object({
  experiments: list(ExperimentSchema),
  next_page_token: token,
});
export const GetRunResponse = z.object({ run: RunSchema });
export const SearchRunsResponse = z.object({ runs: list(RunSchema), next_page_token: token });
export const PartialRunInfoSchema = RunInfoSchema.partial();
export type PartialRunInfo = z.infer<typeof PartialRunInfoSchema>;
export const UpdateRunResponse = z.object({ run_info: PartialRunInfoSchema.optional() });
export const EmptyResponse = z.object({});
export const GetMetricHistoryResponse = z.object({
  metrics: list(MetricSchema),
  next_page_token: token,
});
export const ListArtifactsResponse = z.object({
  files: list(FileInfoSchema),
  // /mlflow/logged-models/<id>/artifacts/directories also returns root_uri and a token.
  root_uri: z.string().optional(),
  next_page_token: token,
});
export const GetRegisteredModelResponse = z.object({ registered_model: RegisteredModelSchema });
export const SearchRegisteredModelsResponse = z.object({
  registered_models: list(RegisteredModelSchema),
  next_page_token: token,
});
export const GetModelVersionResponse = z.object({ model_version: ModelVersionSchema });
export const SearchModelVersionsResponse = z.object({
  model_versions: list(ModelVersionSchema),
  next_page_token: token,
});
export const GetLoggedModelResponse = z.object({ model: LoggedModelSchema });
export const SearchLoggedModelsResponse = z.object({
  models: list(LoggedModelSchema),
  next_page_token: token,
});
export const ErrorBodySchema = z.object({
  error_code: z.string().optional(),
  message: z.string().optional(),
});
