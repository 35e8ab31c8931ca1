// Public surface of the exec part: engines, pinned images, executors.
export { checkEngine, docker, engineAvailable, engineEndpoint, EngineUnavailableError, GET_AN_ENGINE_HINT, type EngineInfo } from "./engine.js";
export { baseTag, ensureBaseImage, type BaseImage } from "./base-image.js";
export { ensureEnvImage, ensureEnvImageFromSpec, Mismatch, type EnvImage, type EnvImageRequest } from "./env-image.js";
export { loadEnvSpec, parseCondaYaml, parsePythonEnvYaml, type EnvSpec } from "./env-spec.js";
export { normaliseRequirement, parseRequirementsTxt, type IgnoredEntry } from "./requirements.js";
export { resolveNamedImage, type NamedImage } from "./named-image.js";
export { dockerEnvRuntime, type DockerEnvRequest, type DockerEnvRuntime } from "./docker-env.js";
export type { BuildProgress, OnBuildProgress } from "./build-progress.js";
export {
  DEFAULT_LIMITS,
  DEFAULT_OUTPUT_LIMIT,
  ExecAbortedError,
  ExecLimits,
  ExecResult,
  ExecSpec,
  MountSpec,
  parseExecSpec,
  type Executor,
  type OutputStream,
  type RunOptions,
} from "./executor.js";
export { DockerExecutor, DEFAULT_USER } from "./docker-executor.js";
export { CONTAINER_LABEL } from "./container-labels.js";
export { LocalExecutor, mapContainerPaths } from "./local-executor.js";
