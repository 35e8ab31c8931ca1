import type Docker from "dockerode";
import { CONTAINER_LABEL, isLeftover } from "./container-labels.js";

// A harness killed mid-audit cannot remove its services; they carry the labels its
// containers would (container-labels.ts), so the next harness finds them as reap.ts
// finds containers: those of the run it prepares (in this audit), and anyone's past
// their deadline. Another live audit's services are left alone (their deadline is
// still ahead), and so are this audit's other runs': the audit prepares later runs
// while earlier runs' replays still run in its pool.

/**
 * Removes the swarm executor's leftover services; answers with the names removed.
 * `auditId` with `runId`: that run's services in that audit; `auditId` alone: all of the audit's.
 */
export async function reapServices(
  client: Docker,
  opts: { auditId?: string; runId?: string; now?: number } = {},
): Promise<string[]> {
  const now = opts.now ?? Date.now();
  const services = await client.listServices({ filters: { label: [`${CONTAINER_LABEL}=swarm`] } });
  const removed: string[] = [];
  for (const s of services) {
    const labels = s.Spec?.Labels ?? {};
    if (!isLeftover(labels, opts, now)) continue;
    await client
      .getService(s.ID)
      .remove()
      .then(() => removed.push(s.Spec?.Name ?? s.ID))
      .catch((e: unknown) => {
        // Gone already (another reaper, or its own harness finishing).
        if ((e as { statusCode?: number }).statusCode !== 404) throw e;
      });
  }
  return removed;
}
