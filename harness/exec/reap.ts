import type Docker from "dockerode";
import { CONTAINER_LABEL, PROBE_LABEL, isLeftover } from "./container-labels.js";

// A harness that was killed (kill -9, a lost machine) cannot remove its containers.
// Every container it makes carries labels, so the next harness finds them: those
// of the run it prepares (in this audit), and anyone's that ran past their deadline.
// Containers of another live audit are left alone: their deadline is still ahead. So
// are this audit's other runs': the audit prepares later runs while earlier runs'
// replays (and the probe their image got) still run in its pool.

export interface ReapResult {
  /** names of the replay containers removed */
  removed: string[];
  /** names of the environment probes' containers removed (a probe runs beside the replays, so a killed harness may leave one) */
  probes: string[];
}

/** `auditId` with `runId`: that run's containers in that audit; `auditId` alone: all of the audit's (nothing of it may run). */
export async function reapLeftovers(
  client: Docker,
  opts: { auditId?: string; runId?: string; now?: number } = {},
): Promise<ReapResult> {
  const now = opts.now ?? Date.now();
  const containers = await client.listContainers({ all: true, filters: { label: [CONTAINER_LABEL] } });
  const removed: string[] = [];
  const probes: string[] = [];
  for (const c of containers) {
    const labels = c.Labels ?? {};
    if (!isLeftover(labels, opts, now)) continue;
    await client
      .getContainer(c.Id)
      .remove({ force: true, v: true })
      .then(() =>
        (labels[PROBE_LABEL] !== undefined ? probes : removed).push((c.Names?.[0] ?? c.Id).replace(/^\//, "")),
      )
      .catch((e: unknown) => {
        // Gone already (another reaper, or its own harness finishing): nothing to do.
        if ((e as { statusCode?: number }).statusCode !== 404 && (e as { statusCode?: number }).statusCode !== 409)
          throw e;
      });
  }
  return { removed, probes };
}
