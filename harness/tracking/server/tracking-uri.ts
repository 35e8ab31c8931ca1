import { existsSync, statSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { BadInputError } from "../../errors.js";

// What a tracking URI means, the way the MLflow client reads MLFLOW_TRACKING_URI:
// http(s):// is a server to talk to; sqlite:///path.db, file:... and a plain folder
// path are stores on this machine, which the harness opens through its embedded
// server (the harness speaks REST only). Anything else the client knows
// (databricks, postgresql, ...) is refused with what to use instead.

export type TrackingTarget =
  | { kind: "server"; uri: string }
  | {
      kind: "store";
      store: "sqlite" | "file";
      /** Absolute path of the sqlite file or of the store folder. */
      path: string;
      /** What `mlflow server --backend-store-uri` is given. */
      backendStoreUri: string;
      /**
       * Where new experiments' artifacts go. MLflow's client defaults to ./mlruns
       * where it runs; for a sqlite file that is, as a rule, the file's folder, and
       * a file store keeps artifacts inside its own folder. Existing experiments
       * keep the absolute location they recorded, so the user's artifacts are found.
       */
      artifactRoot: string;
    };

export class UnsupportedTrackingUriError extends BadInputError {
  constructor(message: string) {
    super(message);
    this.name = "UnsupportedTrackingUriError";
  }
}

/** Raw MLFLOW_TRACKING_URI / --tracking-uri → what to open. `cwd` resolves relative paths. */
export function classifyTrackingUri(raw: string, cwd: string = process.cwd()): TrackingTarget {
  const uri = raw.trim();
  if (/^https?:\/\//i.test(uri)) return { kind: "server", uri };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(uri)?.[1]?.toLowerCase();
  if (scheme === "sqlite") return sqliteStore(uri, cwd);
  if (scheme === "file") return fileStore(fileUriPath(uri, cwd), uri);
  // A Windows drive letter is not a scheme; on POSIX there is none, so one letter is still refused.
  if (scheme !== undefined) throw unsupported(uri, scheme);
  // MLflow reads the bare words as Databricks, never as a folder of that name.
  if (uri === "databricks" || uri === "databricks-uc") throw unsupported(uri, uri);
  return fileStore(resolve(cwd, uri), uri);
}

function sqliteStore(uri: string, cwd: string): TrackingTarget {
  // SQLAlchemy's form: sqlite:///relative.db, sqlite:////absolute.db.
  const m = /^sqlite:\/\/\/(.+)$/i.exec(uri);
  if (!m?.[1] || m[1].startsWith(":memory:"))
    throw new UnsupportedTrackingUriError(
      `tracking URI ${JSON.stringify(uri)}: a sqlite store is sqlite:///relative/path.db or sqlite:////absolute/path.db`,
    );
  const path = resolve(cwd, m[1]);
  if (!existsSync(path) || !statSync(path).isFile())
    throw new BadInputError(
      `tracking URI ${JSON.stringify(uri)}: no sqlite file at ${path} (an empty store is never created in its place; ` +
        `check the path, relative paths are from ${cwd})`,
    );
  return {
    kind: "store",
    store: "sqlite",
    path,
    backendStoreUri: `sqlite:///${path}`,
    artifactRoot: resolve(dirname(path), "mlruns"),
  };
}

function fileUriPath(uri: string, cwd: string): string {
  // file:///abs and file:/abs are absolute; file:./rel and file:rel are from cwd.
  if (/^file:\/\//i.test(uri)) {
    try {
      return fileURLToPath(uri);
    } catch (err) {
      throw new UnsupportedTrackingUriError(
        `tracking URI ${JSON.stringify(uri)}: ${(err as Error).message} (a file store is file:///absolute/folder or file:./relative/folder)`,
      );
    }
  }
  const rest = decodeURIComponent(uri.slice("file:".length));
  return isAbsolute(rest) ? rest : resolve(cwd, rest);
}

function fileStore(path: string, uri: string): TrackingTarget {
  if (!existsSync(path) || !statSync(path).isDirectory())
    throw new BadInputError(
      `tracking URI ${JSON.stringify(uri)}: no MLflow file store (folder) at ${path} ` +
        "(an empty store is never created in its place; check the path)",
    );
  return { kind: "store", store: "file", path, backendStoreUri: `file://${path}`, artifactRoot: path };
}

function unsupported(uri: string, scheme: string): UnsupportedTrackingUriError {
  const hint =
    scheme === "databricks" || scheme === "databricks-uc"
      ? "Databricks workspaces are not supported"
      : ["postgresql", "mysql", "mssql"].some((db) => scheme.startsWith(db))
        ? "a database store is opened by an MLflow server: start `mlflow server --backend-store-uri ...` and give its http:// URL"
        : `the ${scheme}: scheme is not one the harness opens`;
  return new UnsupportedTrackingUriError(
    `tracking URI ${JSON.stringify(uri)}: ${hint}; use an http(s):// server URL, sqlite:///path.db, file:///folder or a folder path`,
  );
}
