import { MlflowConfigError } from "./errors.js";
import { safeArtifactPath } from "./artifact-paths.js";

// A run's (or logged model's) artifact_uri says where its files are. When the server
// serves artifacts (mlflow server --artifacts-destination, the default since 2.0) the
// URI is `mlflow-artifacts:/<exp>/<run>/artifacts`, or a full http(s) URL to the
// proxy endpoint; both map to a path under /api/2.0/mlflow-artifacts/artifacts/. Other
// schemes (s3:, file:, ...) mean the client would need direct store access, which this
// harness does not do: it says so instead of guessing.

export const PROXY_ROUTE = "/api/2.0/mlflow-artifacts/artifacts";

/** The root path below the proxy endpoint for an artifact URI; checked against traversal. */
export function proxiedArtifactRoot(artifactUri: string): string {
  if (artifactUri.startsWith("mlflow-artifacts:")) {
    // mlflow-artifacts:/1/abc/artifacts  or  mlflow-artifacts://host:port/1/abc/artifacts
    let rest = artifactUri.slice("mlflow-artifacts:".length);
    if (rest.startsWith("//")) {
      const slash = rest.indexOf("/", 2);
      rest = slash === -1 ? "" : rest.slice(slash);
    }
    return safeArtifactPath(decodeURIComponentSafe(rest.replace(/^\/+/, "")));
  }
  if (/^https?:\/\//.test(artifactUri)) {
    const u = new URL(artifactUri);
    const anchor = `${PROXY_ROUTE}/`;
    const i = u.pathname.indexOf(anchor);
    if (i === -1 && !u.pathname.endsWith(PROXY_ROUTE)) {
      throw new MlflowConfigError(
        `Artifact URI ${artifactUri} is an http(s) URL but not an MLflow artifact proxy URL (${PROXY_ROUTE}/...)`,
      );
    }
    const rest = i === -1 ? "" : u.pathname.slice(i + anchor.length);
    return safeArtifactPath(decodeURIComponentSafe(rest));
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(artifactUri)?.[1] ?? "a local path";
  throw new MlflowConfigError(
    `Artifact URI ${artifactUri} uses ${scheme}, which repro-audit cannot read. ` +
      `Serve artifacts through the tracking server (mlflow server --artifacts-destination ...) ` +
      `so runs get mlflow-artifacts:/ URIs.`,
  );
}

function decodeURIComponentSafe(s: string): string {
  // Decode once so that encoded traversal ("%2e%2e") is seen by safeArtifactPath as "..".
  try {
    return s
      .split("/")
      .map((seg) => decodeURIComponent(seg))
      .join("/");
  } catch {
    return s;
  }
}
