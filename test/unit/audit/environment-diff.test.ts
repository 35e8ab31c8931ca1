import { describe, expect, it } from "vitest";
import { environmentDiff } from "../../../harness/audit/environment-diff.js";
import { originalEnvironment } from "../../../harness/audit/original-environment.js";
import { assembleFingerprint } from "../../../harness/fingerprint/assemble.js";
import type { CodeFingerprint, Fingerprint } from "../../../harness/fingerprint/schema.js";
import type { OriginalEnvironment } from "../../../harness/report/schema.js";
import { container, host } from "./audit-factories.js";

const c1 = "1111111111111111111111111111111111111111";
const c2 = "2222222222222222222222222222222222222222";

function replayFp(
  code: CodeFingerprint | undefined,
  imageId = "sha256:replay",
  when = "2025-03-01T10:00:00.000Z",
): Fingerprint {
  return assembleFingerprint({ executor: "docker", host, container, code, imageId, capturedAt: new Date(when) });
}

const original = (tags: Record<string, string>): OriginalEnvironment => originalEnvironment({ tags });

describe("environmentDiff", () => {
  it("is empty without replays, without an original, or when the original recorded no fingerprint", () => {
    const empty = { changes: [], unified: "" };
    expect(environmentDiff(original({ "mlflow.source.git.commit": c1 }), [])).toEqual(empty);
    expect(environmentDiff(undefined, [replayFp({ commit: c2, dirty: false })])).toEqual(empty);
    expect(
      environmentDiff(original({ "mlflow.source.name": "train.py" }), [replayFp({ commit: c2, dirty: false })]),
    ).toEqual(empty);
  });

  it("a different commit is a code change, with a unified diff naming both commits", () => {
    const diff = environmentDiff(original({ "mlflow.source.git.commit": c1 }), [
      replayFp({ commit: c2, dirty: false }),
    ]);
    expect(diff.changes).toEqual([{ path: "code.commit", kind: "changed", category: "code", before: c1, after: c2 }]);
    expect(diff.unified).toContain("original (as recorded)");
    expect(diff.unified).toContain("replay 1");
    expect(diff.unified).toContain(`-    "commit": "${c1}"`);
    expect(diff.unified).toContain(`+    "commit": "${c2}"`);
  });

  it("the same commit is no change, even though the replay knows much more (host, container, diff hash)", () => {
    const diff = environmentDiff(original({ "mlflow.source.git.commit": c1, "mlflow.source.git.branch": "main" }), [
      replayFp({ commit: c1, dirty: true, diffSha256: "d".repeat(64), diffBytes: 120, branch: "main" }),
    ]);
    // dirty: null in the original means not recorded; diffSha256/diffBytes/host/container are only in the replay.
    expect(diff).toEqual({ changes: [], unified: "" });
  });

  it("a recorded dirty flag that differs is a change", () => {
    const diff = environmentDiff(original({ "mlflow.source.git.commit": c1, "mlflow.source.git.dirty": "true" }), [
      replayFp({ commit: c1, dirty: false }),
    ]);
    expect(diff.changes).toEqual([
      { path: "code.dirty", kind: "changed", category: "code", before: true, after: false },
    ]);
    expect(diff.unified).not.toBe("");
  });

  it("compares only the first replay, and only parts the original recorded", () => {
    const orig = original({ "mlflow.source.git.commit": c1, "mlflow.docker.image.id": "sha256:orig" });
    const diff = environmentDiff(orig, [
      replayFp({ commit: c1, dirty: false }, "sha256:replay"),
      replayFp({ commit: c2, dirty: false }, "sha256:other"),
    ]);
    expect(diff.changes).toEqual([
      { path: "imageId", kind: "changed", category: "image", before: "sha256:orig", after: "sha256:replay" },
    ]);
    expect(diff.changes.some((c) => c.path.startsWith("host.") || c.path.startsWith("container."))).toBe(false);
  });

  it("capture times never count as a change", () => {
    const orig = original({ "mlflow.source.git.commit": c1 });
    expect(
      environmentDiff(orig, [replayFp({ commit: c1, dirty: false }, "sha256:r", "2031-01-01T00:00:00.000Z")]).changes,
    ).toEqual([]);
  });
});

describe("environmentDiff and detached checkouts", () => {
  it("does not call a lost branch name an environment change", () => {
    const replay = {
      executor: "docker" as const,
      capturedAt: "2026-11-26T00:00:00.000Z",
      code: { commit: "abc", dirty: false },
    };
    const original = { fingerprint: { code: { commit: "abc", dirty: false, branch: "main" } }, recorded: {} };
    expect(environmentDiff(original, [replay])).toEqual({ changes: [], unified: "" });
  });
});
