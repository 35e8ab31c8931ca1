import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { resolveInside, safeArtifactPath } from "../../../harness/tracking/artifact-paths.js";
import { proxiedArtifactRoot } from "../../../harness/tracking/artifact-uri.js";
import { MlflowClient } from "../../../harness/tracking/client.js";
import { MlflowConfigError, UnsafePathError } from "../../../harness/tracking/errors.js";
import { answer, fakeFetch, fixtureIds, jsonResponse, recorded } from "./recorded.js";

const ids = fixtureIds();

describe("safeArtifactPath", () => {
  it.each(["model/MLmodel", "a/./b", "a//b/", "", "reports/repro.json", "x..y/z"])("accepts %j", (p) => {
    expect(() => safeArtifactPath(p)).not.toThrow();
  });
  it("normalises empty and '.' segments", () => {
    expect(safeArtifactPath("a/./b//c/")).toBe("a/b/c");
  });
  it.each([
    ["../etc/passwd", /'\.\.'/],
    ["a/../../b", /'\.\.'/],
    ["..", /'\.\.'/],
    ["/etc/passwd", /absolute/],
    ["a\\..\\b", /backslash/],
    ["a\u0000b", /control/],
    ["a\nb", /control/],
    ["C:/Windows", /drive/],
    ["a/%2e%2e/b", /percent/],
    ["a%2fb", /percent/],
  ])("refuses %j", (p, why) => {
    expect(() => safeArtifactPath(p)).toThrow(UnsafePathError);
    expect(() => safeArtifactPath(p)).toThrow(why);
  });
});

describe("resolveInside", () => {
  it("keeps a path under its folder", () => {
    expect(resolveInside("/tmp/dest", "a/b.txt")).toBe(path.resolve("/tmp/dest/a/b.txt"));
  });
  it("refuses to leave it", () => {
    expect(() => resolveInside("/tmp/dest", "../x")).toThrow(UnsafePathError);
    expect(() => resolveInside("/tmp/dest", "/etc/x")).toThrow(UnsafePathError);
  });
});

describe("proxiedArtifactRoot", () => {
  it.each([
    ["mlflow-artifacts:/1/abc/artifacts", "1/abc/artifacts"],
    ["mlflow-artifacts://127.0.0.1:5000/1/abc/artifacts", "1/abc/artifacts"],
    ["http://127.0.0.1:5000/api/2.0/mlflow-artifacts/artifacts/1/abc/artifacts", "1/abc/artifacts"],
    ["mlflow-artifacts:/1/models/m-1/artifacts", "1/models/m-1/artifacts"],
  ])("%s -> %s", (uri, root) => {
    expect(proxiedArtifactRoot(uri)).toBe(root);
  });
  it("refuses traversal hidden in a URI, encoded or not", () => {
    expect(() => proxiedArtifactRoot("mlflow-artifacts:/1/../../etc")).toThrow(UnsafePathError);
    expect(() => proxiedArtifactRoot("mlflow-artifacts:/1/%2e%2e/%2e%2e/etc")).toThrow(UnsafePathError);
  });
  it("explains stores it cannot read", () => {
    expect(() => proxiedArtifactRoot("s3://bucket/1/abc")).toThrow(MlflowConfigError);
    expect(() => proxiedArtifactRoot("/srv/mlruns/1/abc")).toThrow(/--artifacts-destination/);
  });
});

describe("artifact calls through the proxy", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "tracking-art-"));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("lists a logged model's files from its artifact_uri (recorded answers)", async () => {
    const { fetch, seen } = fakeFetch((req) => {
      if (req.url.pathname.startsWith("/api/2.0/mlflow/logged-models/")) return answer(recorded("logged_model_get"));
      return answer(recorded("artifacts_list_model"));
    });
    const c = new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 0 });
    const files = await c.listLoggedModelArtifacts(ids["model_id"]!);
    expect(files.map((f) => f.path)).toContain("requirements.txt");
    const listCall = seen.find((s) => s.url.pathname === "/api/2.0/mlflow-artifacts/artifacts");
    expect(listCall?.url.searchParams.get("path")).toBe(`${ids["experiment_id"]}/models/${ids["model_id"]}/artifacts`);
  });

  it("paths in a listing are relative to the artifact root", async () => {
    const { fetch } = fakeFetch(() =>
      jsonResponse(200, { files: [{ path: "notes.txt", is_dir: false, file_size: 3 }] }),
    );
    const c = new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 0 });
    expect(await c.listArtifacts("mlflow-artifacts:/1/r/artifacts", "docs")).toEqual([
      { path: "docs/notes.txt", is_dir: false, file_size: 3 },
    ]);
  });

  it("a hostile listing is refused and nothing is written outside the target", async () => {
    const { fetch } = fakeFetch((req) => {
      if (req.url.pathname === "/api/2.0/mlflow-artifacts/artifacts") {
        return jsonResponse(200, { files: [{ path: "../../escaped.txt", is_dir: false }] });
      }
      return new Response("pwned");
    });
    const c = new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 0 });
    const dest = path.join(dir, "dest");
    await expect(c.downloadArtifacts("mlflow-artifacts:/1/r/artifacts", "", dest)).rejects.toThrow(UnsafePathError);
    expect(await readdir(dir)).toEqual([]);
  });

  it("a hostile user path is refused before any request", async () => {
    const { fetch, seen } = fakeFetch(() => new Response("x"));
    const c = new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 0 });
    await expect(
      c.downloadArtifact("mlflow-artifacts:/1/r/artifacts", "../../../etc/passwd", path.join(dir, "f")),
    ).rejects.toThrow(UnsafePathError);
    await expect(
      c.uploadArtifact("mlflow-artifacts:/1/r/artifacts", fileURLToPath(import.meta.url), "../up"),
    ).rejects.toThrow(UnsafePathError);
    expect(seen).toEqual([]);
  });

  it("upload PUTs the bytes to the encoded proxy path; download writes them back", async () => {
    const src = path.join(dir, "my report.json");
    await writeFile(src, '{"a":1}');
    let stored: Uint8Array | undefined;
    const { fetch, seen } = fakeFetch(async (req) => {
      if (req.method === "PUT") {
        stored = new Uint8Array(await (req.body as Blob).arrayBuffer());
        return jsonResponse(200, {});
      }
      return new Response(stored === undefined ? undefined : Buffer.from(stored));
    });
    const c = new MlflowClient({ baseUrl: "http://mlflow.test", fetchImpl: fetch, retries: 0 });
    const rel = await c.uploadArtifact("mlflow-artifacts:/1/r/artifacts", src, "repro");
    expect(rel).toBe("repro/my report.json");
    expect(seen[0]?.method).toBe("PUT");
    expect(seen[0]?.url.pathname).toBe("/api/2.0/mlflow-artifacts/artifacts/1/r/artifacts/repro/my%20report.json");
    const out = path.join(dir, "out", "r.json");
    await c.downloadArtifact("mlflow-artifacts:/1/r/artifacts", rel, out);
    expect(await readFile(out, "utf8")).toBe('{"a":1}');
  });
});
