import { createWriteStream, openAsBlob } from "node:fs";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as NodeReadableStream } from "node:stream/web";
import type { HttpTransport } from "./http.js";
import { baseName, encodeArtifactPath, joinArtifactPath, resolveInside, safeArtifactPath } from "./artifact-paths.js";
import { PROXY_ROUTE } from "./artifact-uri.js";
import { ListArtifactsResponse, type FileInfo } from "./schemas.js";
import { UnsafePathError } from "./errors.js";

// Artifact reads and writes through the server's artifact proxy
// (/api/2.0/mlflow-artifacts/artifacts). `root` is the checked proxy path of a run's or
// logged model's artifact root ("1/<run_id>/artifacts"); every `path` is relative to it.
// All paths, the server's included, pass safeArtifactPath before use.

export class ArtifactProxy {
  constructor(private readonly http: HttpTransport) {}

  /** Direct children of `path` (relative to root), with paths relative to the root. */
  async list(root: string, relPath = "", what = "listing artifacts"): Promise<FileInfo[]> {
    const dir = safeArtifactPath(relPath);
    const full = joinArtifactPath(root, dir);
    const body = await this.http.json(
      { method: "GET", path: PROXY_ROUTE, query: { path: full }, action: `${what} in ${full || "/"}` },
      ListArtifactsResponse,
    );
    return body.files.map((f) => {
      // The proxy answers with names relative to the listed folder; the server is not
      // trusted to keep them inside it.
      const name = safeArtifactPath(f.path);
      if (name === "") throw new UnsafePathError(f.path, "empty file name in listing");
      const rel = joinArtifactPath(dir, name.includes("/") ? baseName(name) : name);
      const info: FileInfo = { path: rel, is_dir: f.is_dir };
      if (f.file_size !== undefined) info.file_size = f.file_size;
      return info;
    });
  }

  /** Every file below `path`, depth first, directories expanded. */
  async listRecursive(root: string, relPath = "", what = "listing artifacts"): Promise<FileInfo[]> {
    const out: FileInfo[] = [];
    const seen = new Set<string>();
    const walk = async (dir: string): Promise<void> => {
      if (seen.has(dir)) return; // a server answering a folder with itself must not loop
      seen.add(dir);
      for (const f of await this.list(root, dir, what)) {
        if (f.is_dir) await walk(f.path);
        else out.push(f);
      }
    };
    await walk(safeArtifactPath(relPath));
    return out;
  }

  /** Download one file to `destFile` (written atomically: temp file, then rename). */
  async download(root: string, relPath: string, destFile: string, what = "downloading artifact"): Promise<void> {
    const rel = safeArtifactPath(relPath);
    if (rel === "") throw new UnsafePathError(relPath, "names the artifact root, not a file");
    const full = joinArtifactPath(root, rel);
    const res = await this.http.send({
      method: "GET",
      path: `${PROXY_ROUTE}/${encodeArtifactPath(full)}`,
      action: `${what} ${rel}`,
    });
    await mkdir(path.dirname(destFile), { recursive: true });
    const tmp = `${destFile}.part-${process.pid}-${Date.now()}`;
    try {
      if (res.body) {
        await pipeline(Readable.fromWeb(res.body as NodeReadableStream<Uint8Array>), createWriteStream(tmp));
      } else {
        await pipeline(Readable.from([]), createWriteStream(tmp));
      }
      await rename(tmp, destFile);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  /**
   * Download every file below `relPath` into `destDir`, keeping the folder layout
   * relative to `relPath`. Each local path is checked to stay inside destDir.
   * Returns the local files written.
   */
  async downloadTree(
    root: string,
    relPath: string,
    destDir: string,
    what = "downloading artifacts",
  ): Promise<string[]> {
    const base = safeArtifactPath(relPath);
    const files = await this.listRecursive(root, base, what);
    const written: string[] = [];
    for (const f of files) {
      const inner = base === "" ? f.path : f.path.slice(base.length + 1);
      const dest = resolveInside(destDir, inner);
      await this.download(root, f.path, dest, what);
      written.push(dest);
    }
    return written;
  }

  /**
   * Upload `localFile` into the folder `artifactDir` (MLflow's log_artifact convention:
   * the file keeps its name unless `fileName` is given). Returns its artifact path.
   */
  async upload(
    root: string,
    localFile: string,
    artifactDir = "",
    fileName?: string,
    what = "uploading artifact",
  ): Promise<string> {
    const st = await stat(localFile);
    if (!st.isFile()) throw new Error(`Cannot upload ${localFile}: not a regular file`);
    const name = safeArtifactPath(fileName ?? path.basename(localFile));
    if (name === "" || name.includes("/")) throw new UnsafePathError(fileName ?? localFile, "is not a plain file name");
    const rel = joinArtifactPath(artifactDir, name);
    const full = joinArtifactPath(root, rel);
    // A Blob backed by the file: sent with its length, and re-readable if a retry happens.
    const blob = await openAsBlob(localFile);
    const res = await this.http.send({
      method: "PUT",
      path: `${PROXY_ROUTE}/${encodeArtifactPath(full)}`,
      bytes: blob,
      action: `${what} ${rel}`,
    });
    await res.arrayBuffer();
    return rel;
  }
}
