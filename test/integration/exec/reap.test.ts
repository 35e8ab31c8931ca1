import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBaseImage } from "../../../harness/exec/base-image.js";
import {
  AUDIT_LABEL,
  CONTAINER_LABEL,
  DEADLINE_LABEL,
  PROBE_LABEL,
  RUN_LABEL,
} from "../../../harness/exec/container-labels.js";
import { docker } from "../../../harness/exec/engine.js";
import { reapLeftovers } from "../../../harness/exec/reap.js";
import { dockerAvailable } from "../../support/engine-available.js";

// An audit prepares its later runs while earlier runs' replays still run (one pool for the
// whole audit): a run's preparation must reap what a killed harness left of that run, never
// the live containers of the audit's other runs. It used to remove every container of the
// audit, and 47 of 50 replays of a 50-run audit died with exit 137 within a second.

describe.skipIf(!dockerAvailable)("reapLeftovers (real engine)", () => {
  const auditId = `reap-test-${process.pid}-${Date.now()}`;
  let imageId = "";
  const made: string[] = [];

  async function running(labels: Record<string, string>): Promise<string> {
    const c = await docker().createContainer({
      Image: imageId,
      Cmd: ["sleep", "60"],
      Labels: { [CONTAINER_LABEL]: "docker", [DEADLINE_LABEL]: String(Date.now() + 120_000), ...labels },
      HostConfig: { NetworkMode: "none" },
    });
    await c.start();
    made.push(c.id);
    return c.id;
  }

  async function alive(id: string): Promise<boolean> {
    try {
      return (await docker().getContainer(id).inspect()).State.Running;
    } catch {
      return false;
    }
  }

  beforeAll(async () => {
    imageId = (await ensureBaseImage()).imageId;
  }, 600_000);
  afterAll(async () => {
    for (const id of made)
      await docker()
        .getContainer(id)
        .remove({ force: true })
        .catch(() => undefined);
  });

  it("a run's preparation reaps that run's leftovers and probe, and leaves the audit's other runs running", async () => {
    const ownReplay = await running({ [AUDIT_LABEL]: auditId, [RUN_LABEL]: "run-b" });
    const ownProbe = await running({ [PROBE_LABEL]: auditId, [RUN_LABEL]: "run-b" });
    const otherReplay = await running({ [AUDIT_LABEL]: auditId, [RUN_LABEL]: "run-a" });
    const otherProbe = await running({ [PROBE_LABEL]: auditId, [RUN_LABEL]: "run-a" });
    const otherAudit = await running({ [AUDIT_LABEL]: `${auditId}-other`, [RUN_LABEL]: "run-b" });

    const reaped = await reapLeftovers(docker(), { auditId, runId: "run-b" });

    expect(reaped.removed).toHaveLength(1);
    expect(reaped.probes).toHaveLength(1);
    expect(await alive(ownReplay)).toBe(false);
    expect(await alive(ownProbe)).toBe(false);
    expect(await alive(otherReplay)).toBe(true);
    expect(await alive(otherProbe)).toBe(true);
    expect(await alive(otherAudit)).toBe(true);
  }, 60_000);
});
