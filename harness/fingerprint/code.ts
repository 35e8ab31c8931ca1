import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { CodeFingerprintSchema, type CodeFingerprint } from "./schema.js";
import { stripUrlCredentials } from "./redact.js";

// Pin every diff option a user's gitconfig could change (prefixes, algorithm,
// renames, external/textconv drivers), so the same tree hashes the same everywhere.
const DIFF_ARGS = [
  "diff",
  "HEAD",
  "--binary",
  "--no-color",
  "--no-ext-diff",
  "--no-textconv",
  "--no-renames",
  "--diff-algorithm=myers",
  "--src-prefix=a/",
  "--dst-prefix=b/",
  "--full-index",
];

// No pager, no credential prompts, locale-independent output; and no inherited
// GIT_DIR & co., which would point -C at some other repository.
const GIT_ENV = {
  GIT_PAGER: "cat",
  GIT_TERMINAL_PROMPT: "0",
  LC_ALL: "C",
  GIT_DIR: undefined,
  GIT_WORK_TREE: undefined,
  GIT_INDEX_FILE: undefined,
  GIT_OBJECT_DIRECTORY: undefined,
};

interface GitResult {
  ok: boolean;
  stdout: string;
}

async function git(dir: string, args: string[]): Promise<GitResult> {
  const result = await execa("git", ["-C", dir, ...args], {
    reject: false,
    timeout: 30_000,
    env: GIT_ENV,
  });
  return { ok: !result.failed && result.exitCode === 0, stdout: String(result.stdout).trim() };
}

async function gitBytes(dir: string, args: string[]): Promise<Uint8Array | undefined> {
  const result = await execa("git", ["-C", dir, ...args], {
    reject: false,
    timeout: 60_000,
    encoding: "buffer",
    stripFinalNewline: false,
    maxBuffer: 1024 * 1024 * 1024,
    env: GIT_ENV,
  });
  if (result.failed || result.exitCode !== 0) return undefined;
  return result.stdout;
}

async function remoteUrl(dir: string): Promise<string | undefined> {
  const origin = await git(dir, ["remote", "get-url", "origin"]);
  if (origin.ok && origin.stdout) return origin.stdout;
  const remotes = await git(dir, ["remote"]);
  const first = remotes.ok ? remotes.stdout.split("\n").find((r) => r.length > 0) : undefined;
  if (!first) return undefined;
  const url = await git(dir, ["remote", "get-url", first]);
  return url.ok && url.stdout ? url.stdout : undefined;
}

/** Streamed, because untracked files are often data sets nobody meant to commit. */
async function fileSha256(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Hash of untracked, non-ignored files: names and contents, in a stable order. */
async function untrackedDigest(dir: string, topLevel: string): Promise<CodeFingerprint["untracked"] | undefined> {
  const listing = await gitBytes(dir, ["ls-files", "--others", "--exclude-standard", "-z", "--full-name", ":/"]);
  if (!listing) return undefined;
  const names = Buffer.from(listing)
    .toString("utf8")
    .split("\0")
    .filter((n) => n.length > 0)
    .sort();
  const hash = createHash("sha256");
  for (const name of names) {
    hash.update(name).update("\0");
    try {
      hash.update(await fileSha256(path.join(topLevel, name)));
    } catch {
      // Vanished or unreadable (a socket, a dangling link): its name still counts.
      hash.update("unreadable");
    }
    hash.update("\n");
  }
  return { count: names.length, sha256: hash.digest("hex") };
}

/**
 * Commit, dirty state, diff hash and remote of the checkout containing `dir`.
 * Not a git work tree (or no git at all): `{ dirty: null }`.
 */
export async function codeFingerprint(dir: string): Promise<CodeFingerprint> {
  let inside: GitResult;
  try {
    inside = await git(dir, ["rev-parse", "--is-inside-work-tree"]);
  } catch {
    return { dirty: null };
  }
  if (!inside.ok || inside.stdout !== "true") return { dirty: null };

  const topLevel = await git(dir, ["rev-parse", "--show-toplevel"]);
  const head = await git(dir, ["rev-parse", "--verify", "-q", "HEAD"]);
  const status = await git(dir, ["status", "--porcelain=v1", "--untracked-files=normal"]);
  const branch = await git(dir, ["symbolic-ref", "--short", "-q", "HEAD"]);

  const fp: CodeFingerprint = { dirty: status.ok ? status.stdout.length > 0 : null };
  if (head.ok && head.stdout) {
    fp.commit = head.stdout;
    const diff = await gitBytes(dir, [...DIFF_ARGS, "--", ":/"]);
    if (diff) {
      fp.diffSha256 = createHash("sha256").update(diff).digest("hex");
      fp.diffBytes = diff.byteLength;
    }
  }
  if (topLevel.ok && topLevel.stdout) {
    const untracked = await untrackedDigest(dir, topLevel.stdout);
    if (untracked && untracked.count > 0) fp.untracked = untracked;
  }
  const url = await remoteUrl(dir);
  if (url) fp.repositoryUrl = stripUrlCredentials(url);
  if (branch.ok && branch.stdout) fp.branch = branch.stdout;
  return CodeFingerprintSchema.parse(fp);
}
