import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { codeFingerprint } from "../../../harness/fingerprint/code.js";

// Real git on a throw-away repository: git is a plain local tool, and faking its
// output would only test the fake.
const scratch = mkdtempSync(path.join(tmpdir(), "repro-fp-code-"));
const repo = path.join(scratch, "repo");
const notRepo = path.join(scratch, "plain");

function git(...args: string[]): string {
  return execFileSync("git", ["-C", repo, ...args], {
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.com",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.com",
    },
  }).trim();
}

beforeAll(() => {
  mkdirSync(repo);
  mkdirSync(notRepo);
  git("init", "-q", "-b", "main");
  git("config", "commit.gpgsign", "false");
  writeFileSync(path.join(repo, "train.py"), "print('hello')\n");
  writeFileSync(path.join(repo, "model.bin"), Buffer.from([0, 1, 2, 3, 255]));
  writeFileSync(path.join(repo, ".gitignore"), "ignored/\n");
  git("add", ".");
  git("commit", "-q", "-m", "init");
  git("remote", "add", "origin", "https://alice:ghp_secret123@git.example.com/org/repo.git");
});

afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe("codeFingerprint", () => {
  it("describes a clean checkout: commit, branch, credential-free remote, no diff", async () => {
    const fp = await codeFingerprint(repo);
    expect(fp.commit).toBe(git("rev-parse", "HEAD"));
    expect(fp.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(fp.dirty).toBe(false);
    expect(fp.branch).toBe("main");
    expect(fp.repositoryUrl).toBe("https://git.example.com/org/repo.git");
    expect(JSON.stringify(fp)).not.toContain("ghp_secret123");
    expect(fp.diffBytes).toBe(0);
    expect(fp.untracked).toBeUndefined();
  });

  it("works from a subdirectory and ignores an inherited GIT_DIR", async () => {
    mkdirSync(path.join(repo, "sub"), { recursive: true });
    const head = git("rev-parse", "HEAD");
    const saved = process.env["GIT_DIR"];
    process.env["GIT_DIR"] = path.join(notRepo, "nope");
    try {
      const fp = await codeFingerprint(path.join(repo, "sub"));
      expect(fp.commit).toBe(head);
    } finally {
      if (saved === undefined) delete process.env["GIT_DIR"];
      else process.env["GIT_DIR"] = saved;
    }
  });

  it("flags a dirty tree and hashes the diff, the hash following the content", async () => {
    const clean = await codeFingerprint(repo);
    writeFileSync(path.join(repo, "train.py"), "print('changed')\n");
    const dirty1 = await codeFingerprint(repo);
    writeFileSync(path.join(repo, "train.py"), "print('changed again')\n");
    const dirty2 = await codeFingerprint(repo);
    writeFileSync(path.join(repo, "train.py"), "print('changed')\n");
    const dirty1Again = await codeFingerprint(repo);

    expect(dirty1.dirty).toBe(true);
    expect(dirty1.commit).toBe(clean.commit);
    expect(dirty1.diffSha256).toMatch(/^[0-9a-f]{64}$/);
    expect(dirty1.diffSha256).not.toBe(clean.diffSha256);
    expect(dirty2.diffSha256).not.toBe(dirty1.diffSha256);
    expect(dirty1Again.diffSha256).toBe(dirty1.diffSha256);
    expect(dirty1.diffBytes).toBeGreaterThan(0);

    // Same content as `git diff HEAD --binary` would give: check against git itself.
    const expected = execFileSync("git", ["-C", repo, "diff", "HEAD", "--binary", "--no-color", "--full-index"]);
    const { createHash } = await import("node:crypto");
    expect(dirty1Again.diffSha256).toBe(createHash("sha256").update(expected).digest("hex"));
    git("checkout", "-q", "--", "train.py");
  });

  it("hashes binary changes byte-exactly", async () => {
    writeFileSync(path.join(repo, "model.bin"), Buffer.from([0, 1, 2, 3, 254]));
    const a = await codeFingerprint(repo);
    writeFileSync(path.join(repo, "model.bin"), Buffer.from([0, 1, 2, 3, 253]));
    const b = await codeFingerprint(repo);
    expect(a.dirty).toBe(true);
    expect(a.diffSha256).not.toBe(b.diffSha256);
    git("checkout", "-q", "--", "model.bin");
    expect((await codeFingerprint(repo)).dirty).toBe(false);
  });

  it("counts untracked files as dirty and hashes them apart; ignored files do not count", async () => {
    mkdirSync(path.join(repo, "ignored"), { recursive: true });
    writeFileSync(path.join(repo, "ignored", "big.csv"), "1,2,3\n");
    expect((await codeFingerprint(repo)).dirty).toBe(false);

    writeFileSync(path.join(repo, "helper.py"), "x = 1\n");
    const a = await codeFingerprint(repo);
    writeFileSync(path.join(repo, "helper.py"), "x = 2\n");
    const b = await codeFingerprint(repo);
    expect(a.dirty).toBe(true);
    expect(a.untracked?.count).toBe(1);
    expect(a.untracked?.sha256).not.toBe(b.untracked?.sha256);
    // Tracked diff is empty: only untracked content changed.
    expect(a.diffBytes).toBe(0);
    rmSync(path.join(repo, "helper.py"));
  });

  it("returns dirty: null outside a git work tree", async () => {
    const fp = await codeFingerprint(notRepo);
    expect(fp).toEqual({ dirty: null });
  });

  it("handles a repository without commits", async () => {
    const empty = path.join(scratch, "empty");
    mkdirSync(empty);
    execFileSync("git", ["-C", empty, "init", "-q"]);
    writeFileSync(path.join(empty, "a.txt"), "a\n");
    const fp = await codeFingerprint(empty);
    expect(fp.commit).toBeUndefined();
    expect(fp.dirty).toBe(true);
    expect(fp.diffSha256).toBeUndefined();
  });
});
