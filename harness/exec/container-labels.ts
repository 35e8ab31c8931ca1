// Labels on every container the harness creates: one place for their names, so the
// executor that sets them and the reaper that finds leftovers cannot drift apart.

/** Every container we create, so leftovers from a crashed harness can be found. */
export const CONTAINER_LABEL = "org.repro-audit.executor";
/** When (epoch ms) the container's own watchdog kills it: past this it is a leftover, whoever made it. */
export const DEADLINE_LABEL = "org.repro-audit.deadline";
export const AUDIT_LABEL = "org.repro-audit.audit-id";
export const RUN_LABEL = "org.repro-audit.run-id";
export const REPLAY_LABEL = "org.repro-audit.replay-index";
/**
 * The environment probe's container carries its audit ID here instead of under
 * AUDIT_LABEL: a leftover probe is this audit's to reap, but is told apart from the
 * audit's replays (which are what AUDIT_LABEL finds).
 */
export const PROBE_LABEL = "org.repro-audit.probe-of-audit";

/**
 * The reapers' one rule (containers and swarm services): what a killed harness left
 * of the run being prepared in its audit (`runId` absent: of the whole audit), or
 * anyone's that ran past its deadline. Never another live run's: the audit prepares
 * later runs while earlier ones replay.
 */
export function isLeftover(
  labels: Readonly<Record<string, string>>,
  opts: { auditId?: string | undefined; runId?: string | undefined },
  now: number,
): boolean {
  const deadline = Number(labels[DEADLINE_LABEL]);
  const ours =
    opts.auditId !== undefined &&
    (labels[AUDIT_LABEL] === opts.auditId || labels[PROBE_LABEL] === opts.auditId) &&
    (opts.runId === undefined || labels[RUN_LABEL] === opts.runId);
  return ours || (Number.isFinite(deadline) && deadline < now);
}
