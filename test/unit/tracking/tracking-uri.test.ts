import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BadInputError } from "../../../harness/errors.js";
import { classifyTrackingUri } from "../../../harness/tracking/server/tracking-uri.js";

const root = mkdtempSync(join(tmpdir(), "tracking-uri-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));
mkdirSync(join(root, "mlruns"));
writeFileSync(join(root, "mlflow.db"), "");

describe("classifyTrackingUri", () => {
  it("keeps http(s) servers as they are", () => {
    expect(classifyTrackingUri(" http://127.0.0.1:5000 ", root)).toEqual({
      kind: "server",
      uri: "http://127.0.0.1:5000",
    });
    expect(classifyTrackingUri("https://mlflow.example.org", root)).toEqual({
      kind: "server",
      uri: "https://mlflow.example.org",
    });
  });

  it("opens sqlite:///relative.db from cwd and sqlite:////absolute.db, artifacts in ./mlruns beside the file", () => {
    const expected = {
      kind: "store",
      store: "sqlite",
      path: join(root, "mlflow.db"),
      backendStoreUri: `sqlite:///${join(root, "mlflow.db")}`,
      artifactRoot: join(root, "mlruns"),
    };
    expect(classifyTrackingUri("sqlite:///mlflow.db", root)).toEqual(expected);
    expect(classifyTrackingUri(`sqlite:///${join(root, "mlflow.db")}`, "/")).toEqual(expected);
  });

  it("opens file:./rel, file:///abs and a plain folder as a file store with artifacts inside it", () => {
    const store = join(root, "mlruns");
    const expected = {
      kind: "store",
      store: "file",
      path: store,
      backendStoreUri: `file://${store}`,
      artifactRoot: store,
    };
    expect(classifyTrackingUri("file:./mlruns", root)).toEqual(expected);
    expect(classifyTrackingUri(`file://${store}`, "/")).toEqual(expected);
    expect(classifyTrackingUri("mlruns", root)).toEqual(expected);
    expect(classifyTrackingUri(store, "/")).toEqual(expected);
  });

  it("refuses a missing sqlite file or folder, naming the path looked for, and creates nothing", () => {
    expect(() => classifyTrackingUri("sqlite:///missing.db", root)).toThrow(
      new RegExp(`no sqlite file at ${join(root, "missing.db")}`),
    );
    expect(() => classifyTrackingUri("file:./nowhere", root)).toThrow(/no MLflow file store \(folder\) at .*nowhere/);
    expect(() => classifyTrackingUri("./mlflow.db", root)).toThrow(/no MLflow file store \(folder\)/);
    expect(() => classifyTrackingUri("sqlite:///missing.db", root)).toThrow(BadInputError);
  });

  it.each([
    ["databricks", /Databricks workspaces are not supported/],
    ["databricks://profile", /Databricks workspaces are not supported/],
    ["postgresql://u@h/db", /start `mlflow server --backend-store-uri/],
    ["s3://bucket/x", /the s3: scheme is not one the harness opens/],
    ["sqlite://", /sqlite:\/\/\/relative\/path\.db/],
    ["sqlite:///:memory:", /sqlite:\/\/\/relative\/path\.db/],
  ])("refuses %s with what to use instead", (uri, why) => {
    expect(() => classifyTrackingUri(uri, root)).toThrow(why);
    expect(() => classifyTrackingUri(uri, root)).toThrow(BadInputError);
  });
});
