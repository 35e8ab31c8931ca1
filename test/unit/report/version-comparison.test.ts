import { describe, expect, it } from "vitest";

import type { RecordedVersions } from "../../../harness/drift/model-environment.js";
import { assembleFingerprint } from "../../../harness/fingerprint/assemble.js";
import type { ContainerFingerprint, Fingerprint } from "../../../harness/fingerprint/schema.js";
import {
  compareVersions,
  versionChanges,
  versionDifferencesFinding,
  versionMatches,
} from "../../../harness/report/version-comparison.js";
import { container } from "../audit/audit-factories.js";

const src = "logged model model/requirements.txt";
const recorded: RecordedVersions = {
  python: { version: "3.9.18", source: "logged model model/python_env.yaml" },
  libraries: [
    { name: "numpy", version: "2.4.6", source: src },
    { name: "scikit-learn", version: "1.9.1", source: src },
    { name: "scipy", version: "1.13.1", source: src },
    { name: "skl2onnx", version: "1.16.0", source: src },
  ],
  notes: [],
};
const replay = (c: ContainerFingerprint | undefined = container): Fingerprint =>
  assembleFingerprint({ executor: "docker", container: c, capturedAt: new Date("2025-03-01T10:00:00.000Z") });
const withDists = (dists: Record<string, string>): ContainerFingerprint => ({
  ...container,
  distributions: container.distributions.map((d) =>
    Object.hasOwn(dists, d.name) ? { ...d, version: dists[d.name] as string } : d,
  ),
});

describe("compareVersions: the original's recorded versions against the replays' fingerprints", () => {
  // A model logged with mlflow records `mlflow==X`; a replay environment often has the
  // tracking client alone (mlflow-skinny): not "not installed", and not the same either.
  it("mlflow recorded, mlflow-skinny on the replays: named as that, a difference", () => {
    const mlflow: RecordedVersions = { libraries: [{ name: "mlflow", version: "3.17.2", source: src }], notes: [] };
    const skinny: ContainerFingerprint = {
      ...container,
      distributions: [
        ...container.distributions.filter((d) => !/^mlflow/.test(d.name)),
        { name: "mlflow-skinny", version: "3.17.2" },
      ],
    };
    const got = compareVersions(mlflow, [replay(skinny)]);
    expect(got?.items.map((i) => [i.name, i.replays, i.state])).toEqual([
      ["mlflow", "mlflow-skinny 3.17.2", "differs"],
    ]);
  });

  it("names each difference: Python, a library at another version, a library the replays lack", () => {
    const got = compareVersions(recorded, [replay(), replay()]);
    expect(got?.items.map((i) => [i.name, i.original, i.replays, i.state])).toEqual([
      ["python", "3.9.18", "3.11.7", "differs"],
      ["numpy", "2.4.6", "2.4.6", "same"],
      ["scikit-learn", "1.9.1", "1.9.1", "same"],
      ["scipy", "1.13.1", "1.17.1", "differs"],
      ["skl2onnx", "1.16.0", "not installed", "absent_on_replays"],
    ]);
    expect(got?.counts).toEqual({ same: 2, differs: 2, absent_on_replays: 1, not_recorded_replays: 0 });
    expect(versionChanges(got)).toEqual([
      {
        path: "container.python.version",
        kind: "changed",
        category: "python",
        before: "3.9.18",
        after: "3.11.7",
        source: "logged model model/python_env.yaml",
      },
      {
        path: "container.distributions.scipy",
        kind: "changed",
        category: "packages",
        before: "1.13.1",
        after: "1.17.1",
        source: src,
      },
      {
        path: "container.distributions.skl2onnx",
        kind: "removed",
        category: "packages",
        before: "1.16.0",
        source: src,
      },
    ]);
    expect(versionDifferencesFinding(got)).toBe(
      "environment: the replays did not run what the original recorded: " +
        "python: original 3.9.18 (logged model model/python_env.yaml) vs replay 3.11.7; " +
        `scipy: original 1.13.1 (${src}) vs replay 1.17.1; ` +
        `skl2onnx: original 1.16.0 (${src}) vs replay not installed`,
    );
  });

  it("replays that split: each version with its count, and a difference", () => {
    const got = compareVersions({ libraries: [{ name: "scipy", version: "1.17.1", source: src }], notes: [] }, [
      replay(),
      replay(withDists({ scipy: "1.11.4" })),
    ]);
    expect(got?.items[0]).toMatchObject({ replays: "1.17.1 (×1); 1.11.4 (×1)", state: "differs" });
  });

  it("no replay probed: not recorded on the replays, never the same; nothing recorded: undefined", () => {
    const unprobed = assembleFingerprint({ executor: "local", capturedAt: new Date("2025-03-01T10:00:00.000Z") });
    const got = compareVersions(recorded, [unprobed]);
    expect(got?.items.every((i) => i.state === "not_recorded_replays" && i.replays === undefined)).toBe(true);
    expect(versionChanges(got)).toEqual([]);
    expect(versionDifferencesFinding(got)).toBeUndefined();
    expect(compareVersions(undefined, [replay()])).toBeUndefined();
  });

  it("names compare PEP 503-normalised, versions PEP 440-normalised", () => {
    const got = compareVersions({ libraries: [{ name: "Scikit_Learn", version: "1.9.1.0", source: src }], notes: [] }, [
      replay(),
    ]);
    expect(got?.items[0]).toMatchObject({ name: "scikit-learn", state: "same" });
    expect(versionMatches("library", "1.0", "1.0.0")).toBe(true);
    expect(versionMatches("library", "2.0RC1", "2.0rc1")).toBe(true);
    expect(versionMatches("library", "1.0.post1", "1.0-1")).toBe(true);
    expect(versionMatches("library", "2.1.0+cpu", "2.1.0")).toBe(false);
    expect(versionMatches("library", "1.13.1", "1.13.10")).toBe(false);
    expect(versionMatches("library", "1.0.dev0", "1.0")).toBe(false);
    // Python recorded as a series is met by any version of it; a full one only by itself
    expect(versionMatches("python", "3.9", "3.9.18")).toBe(true);
    expect(versionMatches("python", "3.9.18", "3.9.2")).toBe(false);
    expect(versionMatches("python", "3.11.7", "3.11.7")).toBe(true);
  });
});
