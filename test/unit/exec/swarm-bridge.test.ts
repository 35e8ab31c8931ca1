import type Docker from "dockerode";
import { describe, expect, it } from "vitest";
import { refuseDefaultBridge } from "../../../harness/exec/swarm-prepare.js";

// A swarm task with no network attachment gets its node's default network: on an engine
// with a default bridge, that is network access. Such a manager is refused.

const engineWith = (networks: Array<{ Name: string; Driver: string }>) =>
  ({ listNetworks: async () => networks }) as unknown as Docker;

describe("refuseDefaultBridge", () => {
  it("refuses an engine whose default network is a bridge", async () => {
    await expect(
      refuseDefaultBridge(
        engineWith([
          { Name: "bridge", Driver: "bridge" },
          { Name: "none", Driver: "null" },
        ]),
      ),
    ).rejects.toThrow(/default bridge network.*--bridge=none/);
  });

  it("takes an engine started without a bridge (its swarm's own networks are not the default)", async () => {
    await expect(
      refuseDefaultBridge(
        engineWith([
          { Name: "none", Driver: "null" },
          { Name: "host", Driver: "host" },
          { Name: "docker_gwbridge", Driver: "bridge" },
          { Name: "ingress", Driver: "overlay" },
        ]),
      ),
    ).resolves.toBeUndefined();
  });
});
