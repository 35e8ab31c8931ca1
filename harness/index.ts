/**
 * repro-audit as a library (package.json "exports" points here). Every name is listed
 * on purpose: what is not exported here is internal and may change without notice.
 * Grouped in the order data flows: tracking -> selection -> trace -> plan -> exec ->
 * fingerprint -> drift -> report -> audit.
 */

// errors: every expected failure is a ReproAuditError with a kind (what the CLI prints)
export { BadInputError, FAILURE_KINDS, ReproAuditError, type FailureKind } from "./errors.js";

// tracking: the MLflow REST client and the errors it throws
export { MlflowClient, type ArtifactTarget, type ClientOptions } from "./tracking/client.js";
export {
  MlflowConfigError,
  MlflowError,
  MlflowSchemaError,
  MlflowUnreachableError,
  UnsafePathError,
  type RequestContext,
} from "./tracking/errors.js";
export type { SearchRunsOptions } from "./tracking/runs.js";
export type { SearchExperimentsOptions } from "./tracking/experiments.js";
export type { RegistrySearchOptions } from "./tracking/registry.js";

// selection: which runs an audit covers (experiment, run ids, model version or alias)
export {
  SelectionError,
  SelectionSchema,
  describeSelection,
  parseSelection,
  type Selection,
  type SelectionOptions,
} from "./selection/selection.js";
export { resolveSelection, type ResolvedSelection, type SelectionClient } from "./selection/resolve.js";

// trace: what each run recorded, as a checklist
export { collectSubjects, type CollectClient, type CollectOptions } from "./trace/mlflow-collect.js";
export { mlflowTraceReader } from "./trace/mlflow-reader.js";
export type { TraceReader } from "./trace/ports.js";
export {
  TraceDocumentSchema,
  buildTraceDocument,
  type TraceDocument,
  type TraceDocumentMeta,
} from "./trace/document.js";
export type { TraceSubject } from "./trace/subject.js";
export { traceJob, type TraceJobOptions } from "./trace/trace-job.js";

// plan: a recorded run turned into a replay plan
export { PlanError, ReplayPlanSchema, buildPlan, type PlanInput, type ReplayPlan } from "./plan/plan.js";

// exec: executors and pinned images
export { DockerExecutor } from "./exec/docker-executor.js";
export { LocalExecutor } from "./exec/local-executor.js";
export type { ExecResult, ExecSpec, Executor, RunOptions } from "./exec/executor.js";
export { ensureEnvImage, type EnvImage, type EnvImageRequest } from "./exec/env-image.js";

// fingerprint: where a run ran, and what changed between two places
export {
  FingerprintSchema,
  type CodeFingerprint,
  type ContainerFingerprint,
  type Fingerprint,
  type HostFingerprint,
} from "./fingerprint/schema.js";
export {
  diffFingerprints,
  type DiffOptions,
  type FingerprintChange,
  type FingerprintDiff,
} from "./fingerprint/diff.js";
export { hostFingerprint, type HostFingerprintOptions } from "./fingerprint/host.js";
export { codeFingerprint } from "./fingerprint/code.js";

// drift: pure scoring of an original run against its replays
export { scoreAudit, scoreRun, SCORE_FORMULA, type ScoreRunInput } from "./drift/score.js";
export {
  DEFAULT_POLICY,
  DEFAULT_TOLERANCE,
  ToleranceSpecError,
  describePolicy,
  parseTolerancePolicy,
} from "./drift/tolerance.js";
export {
  AuditScoreSchema,
  ExecutionRecordSchema,
  MetricScoreSchema,
  ReplayRecordSchema,
  RunScoreSchema,
  TolerancePolicySchema,
  ToleranceSchema,
  type AuditScore,
  type ExecutionRecord,
  type MetricScore,
  type ReplayRecord,
  type RunScore,
  type RunVerdict,
  type Tolerance,
  type TolerancePolicy,
  type Verdict,
} from "./drift/schema.js";

// report: the versioned JSON document and its renderings
export { ReportSchema, type Report, type ReportRun } from "./report/schema.js";
export { renderMarkdown } from "./report/markdown.js";
export { renderHtml } from "./report/html.js";
export { renderJunit } from "./report/junit.js";
export { readReport, writeReport, type ReportPaths } from "./report/write.js";
export { ReportValidationError, parseReport, serializeReport } from "./report/serialize.js";

// audit: whole jobs
export { replayJob, type ReplayJobOptions, type ReplayJobResult } from "./audit/replay-pipeline.js";
export { AuditError, auditJob, type AuditJobOptions, type AuditJobResult } from "./audit/audit-job.js";
