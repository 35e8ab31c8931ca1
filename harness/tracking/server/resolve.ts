import { startEmbeddedServer } from "./embedded-server.js";

export interface ResolvedTracking {
  uri: string;
  embedded: boolean;
}

/**
 * The tracking server to talk to: an explicit URI, else MLFLOW_TRACKING_URI as the
 * MLflow client reads it, else the embedded server (started when not running).
 */
export async function resolveTrackingUri(
  opts: { trackingUri?: string | undefined; dataDir?: string | undefined; env?: NodeJS.ProcessEnv } = {},
): Promise<ResolvedTracking> {
  const env = opts.env ?? process.env;
  const explicit = opts.trackingUri ?? env["MLFLOW_TRACKING_URI"];
  if (explicit && explicit.trim() !== "") return { uri: explicit.trim(), embedded: false };
  const { state } = await startEmbeddedServer({ ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), env });
  return { uri: state.url, embedded: true };
}
