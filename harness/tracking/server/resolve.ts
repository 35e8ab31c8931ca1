import { startEmbeddedServer } from "./embedded-server.js";
import { classifyTrackingUri } from "./tracking-uri.js";

export interface ResolvedTracking {
  uri: string;
  embedded: boolean;
}

/**
 * The tracking server to talk to: an explicit URI, else MLFLOW_TRACKING_URI as the
 * MLflow client reads it, else the embedded server (started when not running).
 * A local store (sqlite:, file:, a folder) opens through an embedded server of its own.
 */
export async function resolveTrackingUri(
  opts: { trackingUri?: string | undefined; dataDir?: string | undefined; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<ResolvedTracking> {
  const env = opts.env ?? process.env;
  const explicit = opts.trackingUri ?? env["MLFLOW_TRACKING_URI"];
  if (explicit && explicit.trim() !== "") {
    const target = classifyTrackingUri(explicit, opts.cwd);
    if (target.kind === "server") return { uri: target.uri, embedded: false };
    const { state } = await startEmbeddedServer({
      store: target,
      ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
      env,
    });
    return { uri: state.url, embedded: true };
  }
  const { state } = await startEmbeddedServer({ ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), env });
  return { uri: state.url, embedded: true };
}
