import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { execa } from "execa";
import { FileFormatError } from "./zod-message.js";
import { Tags } from "../tracking/tags.js";

// The replay's code: the user's repository at the run's recorded commit, checked
// out as a scratch worktree (git worktree add --detach) in a temp folder. The
// user's working tree is never touched; git only records the worktree in .git,
// and removing it afterwards takes that record away again.

export interface Checkout {
  path: string;
  commit: string;
  /** the recorded diff of a dirty original was applied */
  diffApplied: boolean;
  /** why a recorded diff could not be applied */
  diffError?: string;
  remove(): Promise<void>;
}

async function git(repo: string, args: string[], input?: string) {
  return execa("git", ["-C", repo, ...args], {
    reject: false,
    ...(input !== undefined ? { input } : {}),
    env: { GIT_TERMINAL_PROMPT: "0" },
  });
}

/**
 * The worktree commands of one repository, one at a time: an audit's runs are now
 * prepared side by side, and git's worktree bookkeeping in .git (add, remove, prune)
 * is not meant to be changed by two commands at once.
 */
const worktreeQueue = new Map<string, Promise<unknown>>();

function oneAtATime<T>(repo: string, step: () => Promise<T>): Promise<T> {
  const next = (worktreeQueue.get(repo) ?? Promise.resolve()).then(step, step);
  worktreeQueue.set(
    repo,
    next.catch(() => undefined),
  );
  return next;
}

export async function checkoutAtCommit(opts: { repo: string; commit: string; diff?: string }): Promise<Checkout> {
  const repo = resolve(opts.repo);
  const top = await git(repo, ["rev-parse", "--show-toplevel"]);
  if (top.exitCode !== 0) throw new FileFormatError(`--code ${opts.repo}: not a git repository (${top.stderr.trim()})`);
  const exists = await git(repo, ["cat-file", "-e", `${opts.commit}^{commit}`]);
  if (exists.exitCode !== 0) {
    throw new FileFormatError(
      `--code ${opts.repo}: commit ${opts.commit} (the run's ${Tags.gitCommit}) is not in this repository; ` +
        `fetch it (git fetch --all) or point --code at the repository the run came from`,
    );
  }
  const scratch = mkdtempSync(join(tmpdir(), "repro-audit-code-"));
  // The replay runs as an unprivileged user that must be able to read the code.
  chmodSync(scratch, 0o755);
  const path = join(scratch, "code");
  const added = await oneAtATime(repo, () => git(repo, ["worktree", "add", "--detach", path, opts.commit]));
  if (added.exitCode !== 0) {
    rmSync(scratch, { recursive: true, force: true });
    throw new Error(`git worktree add failed for ${opts.commit}: ${added.stderr.trim()}`);
  }
  const remove = () =>
    oneAtATime(repo, async () => {
      await git(repo, ["worktree", "remove", "--force", path]);
      rmSync(scratch, { recursive: true, force: true });
      await git(repo, ["worktree", "prune"]);
    });
  let diffApplied = false;
  let diffError: string | undefined;
  if (opts.diff !== undefined && opts.diff.trim() !== "") {
    const patch = opts.diff.endsWith("\n") ? opts.diff : `${opts.diff}\n`;
    const applied = await git(path, ["apply", "--whitespace=nowarn", "-"], patch);
    if (applied.exitCode === 0) diffApplied = true;
    else diffError = applied.stderr.trim() || `git apply exited ${applied.exitCode}`;
  }
  return { path, commit: opts.commit, diffApplied, ...(diffError !== undefined ? { diffError } : {}), remove };
}
