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
