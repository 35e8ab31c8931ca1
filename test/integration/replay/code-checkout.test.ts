import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { checkoutAtCommit } from "../../../harness/plan/code-checkout.js";

// Real git: the replay's code is a scratch worktree at the recorded commit, with
// the recorded diff applied, and the user's tree is left exactly as it was.

let repo: string | undefined;
afterEach(() => {
  if (repo) rmSync(repo, { recursive: true, force: true });
  repo = undefined;
});

async function git(...args: string[]) {
  return (await execa("git", ["-C", repo as string, ...args])).stdout.trim();
}

async function makeRepo() {
  repo = mkdtempSync(join(tmpdir(), "repro-user-repo-"));
  await git("init", "-q");
  await git("config", "user.email", "t@example.com");
  await git("config", "user.name", "t");
  writeFileSync(join(repo, "train.py"), "ALPHA = 0.5\n");
  await git("add", ".");
  await git("commit", "-qm", "first");
  const first = await git("rev-parse", "HEAD");
  writeFileSync(join(repo, "train.py"), "ALPHA = 0.9\n");
  await git("commit", "-qam", "second");
  // The user has work in progress that must survive.
  writeFileSync(join(repo, "train.py"), "ALPHA = 123  # wip\n");
  return first;
}

describe("checkout at the recorded commit", () => {
  it("checks out the commit, applies the recorded diff, and never touches the user's tree", async () => {
    const first = await makeRepo();
    const diff =
      "diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1 +1 @@\n-ALPHA = 0.5\n+ALPHA = 0.7\n";
    const co = await checkoutAtCommit({ repo: repo as string, commit: first, diff });
    try {
      expect(co.diffApplied).toBe(true);
      expect(readFileSync(join(co.path, "train.py"), "utf8")).toBe("ALPHA = 0.7\n");
      expect((await execa("git", ["-C", co.path, "rev-parse", "HEAD"])).stdout.trim()).toBe(first);
      expect(readFileSync(join(repo as string, "train.py"), "utf8")).toBe("ALPHA = 123  # wip\n");
    } finally {
      await co.remove();
    }
    expect(existsSync(co.path)).toBe(false);
    expect(await git("worktree", "list", "--porcelain")).not.toContain(co.path);
    expect(await git("status", "--porcelain")).toBe("M train.py");
  });

  it("a diff that does not apply is flagged, the commit is still checked out", async () => {
    const first = await makeRepo();
    const co = await checkoutAtCommit({
      repo: repo as string,
      commit: first,
      diff: "diff --git a/nope.py b/nope.py\n--- a/nope.py\n+++ b/nope.py\n@@ -1 +1 @@\n-x\n+y\n",
    });
    try {
      expect(co.diffApplied).toBe(false);
      expect(co.diffError).toMatch(/nope\.py/);
      expect(readFileSync(join(co.path, "train.py"), "utf8")).toBe("ALPHA = 0.5\n");
    } finally {
      await co.remove();
    }
  });

  it("an unknown commit or a folder that is not a repository says how to fix it", async () => {
    await makeRepo();
    await expect(
      checkoutAtCommit({ repo: repo as string, commit: "0123456789abcdef0123456789abcdef01234567" }),
    ).rejects.toThrow(/is not in this repository; fetch it/);
    const plain = mkdtempSync(join(tmpdir(), "not-a-repo-"));
    try {
      await expect(checkoutAtCommit({ repo: plain, commit: "abc" })).rejects.toThrow(/not a git repository/);
    } finally {
      rmSync(plain, { recursive: true, force: true });
    }
  });
});
