import { diffFingerprints } from "../fingerprint/diff.js";
import type { Fingerprint } from "../fingerprint/schema.js";
import type { OriginalEnvironment, ReportFingerprintDiff } from "../report/schema.js";
import { compareVersions, versionChanges } from "../report/version-comparison.js";

// The environment diff a report shows: what the original recorded against what the
// first replay ran in. The original's fingerprint is partial (tracking servers keep
// little), so only the parts it has are compared; a field only the replay knows is
// not a change, it is something the original never recorded, and the report's fact
// table shows those. The replays of one run share one probe and one host
// fingerprint, so they are not diffed against each other here. Pure.

export function environmentDiff(
  original: OriginalEnvironment | undefined,
  replays: readonly Fingerprint[],
): ReportFingerprintDiff {
  const fromFingerprint = fingerprintChanges(original, replays);
  // The Python and library versions the original's logged model recorded, against
  // every replay: differences are changes like any other, with where they were read.
  const versions = compareVersions(original?.versions, replays);
  const fromVersions = versionChanges(versions).filter((v) => !fromFingerprint.changes.some((c) => c.path === v.path));
  return {
    changes: [...fromFingerprint.changes, ...fromVersions],
    unified: fromFingerprint.unified,
    ...(versions !== undefined ? { versions } : {}),
  };
}

function fingerprintChanges(
  original: OriginalEnvironment | undefined,
  replays: readonly Fingerprint[],
): ReportFingerprintDiff {
  const first = replays[0];
  const known = original?.fingerprint;
  if (first === undefined || known === undefined) return { changes: [], unified: "" };

  const before: Fingerprint = { ...known, executor: first.executor, capturedAt: first.capturedAt };
  const after: Fingerprint = {
    executor: first.executor,
    capturedAt: first.capturedAt,
    ...(known.code !== undefined && first.code !== undefined ? { code: first.code } : {}),
    ...(known.imageId !== undefined && first.imageId !== undefined ? { imageId: first.imageId } : {}),
    ...(known.container !== undefined && first.container !== undefined ? { container: first.container } : {}),
    ...(known.host !== undefined && first.host !== undefined ? { host: first.host } : {}),
  };
  // The branch names where a commit was checked out from, not what ran: a replay's
  // scratch worktree is detached and would always "lose" it.
  const diff = diffFingerprints(before, after, {
    beforeLabel: "original (as recorded)",
    afterLabel: "replay 1",
    ignore: ["code.branch"],
  });
  // null in the original means "not recorded" (e.g. dirty: null), not a value that changed.
  const changes = diff.changes.filter((c) => c.kind !== "added" && c.before !== null);
  return { changes, unified: changes.length === 0 ? "" : diff.patch };
}
