import { describe, expect, it } from "vitest";
import { originalEnvironment } from "../../../harness/audit/original-environment.js";
import { REDACTED } from "../../../harness/fingerprint/redact.js";

const commit = "3f2c1e0a9b8d7c6e5f4a3b2c1d0e9f8a7b6c5d4e";

describe("originalEnvironment", () => {
  it("lists the source, docker and project tags, never the git diff or unrelated tags", () => {
    const env = originalEnvironment({
      tags: {
        "mlflow.source.name": "train.py",
        "mlflow.source.type": "PROJECT",
        "mlflow.source.git.commit": commit,
        "mlflow.source.git.diff": "diff --git a/train.py b/train.py\n+print('x')\n".repeat(100),
        "mlflow.docker.image.name": "wine:latest",
        "mlflow.project.entryPoint": "main",
        "mlflow.user": "alice",
        "mlflow.runName": "wine-a",
        team: "ml",
      },
    });
    expect(env.recorded).toEqual({
      "mlflow.docker.image.name": "wine:latest",
      "mlflow.project.entryPoint": "main",
      "mlflow.source.git.commit": commit,
      "mlflow.source.name": "train.py",
      "mlflow.source.type": "PROJECT",
    });
    expect(Object.keys(env.recorded)).toEqual([...Object.keys(env.recorded)].sort());
    expect(JSON.stringify(env)).not.toContain("diff --git");
  });

  it("redacts secret-looking tag names and credentials inside URLs", () => {
    const env = originalEnvironment({
      tags: {
        "mlflow.source.git.repoURL": "https://bob:hunter2@github.com/o/r.git",
        "mlflow.project.api_token": "ghp_abcdef",
        "mlflow.source.password": "swordfish",
        "mlflow.docker.registry": "https://registry.local/v2?private_token=xyz789&page=1",
      },
    });
    expect(env.recorded["mlflow.source.git.repoURL"]).toBe("https://github.com/o/r.git");
    expect(env.recorded["mlflow.project.api_token"]).toBe(REDACTED);
    expect(env.recorded["mlflow.source.password"]).toBe(REDACTED);
    expect(env.recorded["mlflow.docker.registry"]).toBe(`https://registry.local/v2?private_token=${REDACTED}&page=1`);
    expect(env.fingerprint?.code?.repositoryUrl).toBe("https://github.com/o/r.git");
    const text = JSON.stringify(env);
    for (const secret of ["hunter2", "ghp_abcdef", "swordfish", "xyz789"]) expect(text).not.toContain(secret);
  });

  it("cuts very long values", () => {
    const env = originalEnvironment({ tags: { "mlflow.source.name": "x".repeat(800) } });
    expect(env.recorded["mlflow.source.name"]).toBe(`${"x".repeat(500)}…`);
  });

  it.each([
    ["true", true],
    ["True", true],
    ["1", true],
    ["false", false],
    ["FALSE", false],
    ["0", false],
    ["maybe", null],
    ["", null],
  ] as const)("dirty tag %j gives dirty %j", (value, dirty) => {
    const env = originalEnvironment({ tags: { "mlflow.source.git.commit": commit, "mlflow.source.git.dirty": value } });
    expect(env.fingerprint?.code?.dirty).toBe(dirty);
  });

  it("an absent dirty tag is null; the harness's own repro.git.dirty is read as well", () => {
    expect(originalEnvironment({ tags: { "mlflow.source.git.commit": commit } }).fingerprint?.code?.dirty).toBeNull();
    expect(originalEnvironment({ tags: { "repro.git.dirty": "true" } }).fingerprint?.code).toEqual({ dirty: true });
  });

  it("puts commit, repository URL and branch into a partial fingerprint", () => {
    const env = originalEnvironment({
      tags: {
        "mlflow.source.git.commit": ` ${commit} `,
        "mlflow.source.git.dirty": "false",
        "mlflow.gitRepoURL": "git@github.com:o/r.git",
        "mlflow.source.git.branch": "main",
        "mlflow.docker.image.id": "sha256:abc",
      },
    });
    expect(env.fingerprint).toEqual({
      code: { commit, dirty: false, repositoryUrl: "git@github.com:o/r.git", branch: "main" },
      imageId: "sha256:abc",
    });
  });

  it("has no fingerprint when the run recorded nothing about its code or image", () => {
    const none = originalEnvironment({ tags: { "mlflow.user": "alice", "mlflow.source.name": "train.py" } });
    expect(none.fingerprint).toBeUndefined();
    expect(none.recorded).toEqual({ "mlflow.source.name": "train.py" });
    // a branch alone says too little to compare
    expect(originalEnvironment({ tags: { "mlflow.source.git.branch": "main" } }).fingerprint).toBeUndefined();
    expect(originalEnvironment({ tags: {} })).toEqual({ recorded: {} });
  });
});
