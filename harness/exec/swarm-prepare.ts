import type Docker from "dockerode";
import { prepareDocker } from "./docker-prepare.js";
import { docker } from "./engine.js";
import type { EngineCapacity, PrepareRequest, PreparedExecutor } from "./executors.js";
import { SwarmExecutor } from "./swarm-executor.js";
import { registryFrom } from "./swarm-image.js";
import { reapServices } from "./swarm-reap.js";

// Getting the swarm executor ready for a plan: the registry checked first (a missing
// one costs nothing), the pinned image made as for the docker executor, on the
// manager's engine (DOCKER_HOST), pushed to the registry by digest, and services a
// killed harness left behind removed.

export async function prepareSwarm(req: PrepareRequest): Promise<PreparedExecutor> {
  const registry = registryFrom(req.hostEnv);
  const client = docker();
  const nodes = await swarmNodes(client);
  await refuseDefaultBridge(client);
  const local = await prepareDocker(req);
  // This run's leftovers only: the audit's other runs may be replaying in its pool right now.
  const reaped = await reapServices(client, {
    auditId: req.auditId,
    ...(req.runId !== undefined ? { runId: req.runId } : {}),
  });
  if (reaped.length > 0) req.onStage(`removed ${reaped.length} swarm service(s) left by an interrupted harness`);
  const executor = new SwarmExecutor(registry, client);
  const notes = [...local.notes];
  if (local.image !== undefined) {
    req.onStage(`pushing the pinned image to ${registry}`);
    const { ref } = await executor.pin(local.image.imageId);
    notes.push(`replays run as swarm services on ${nodes.length} node(s), pinned to ${ref}`);
  }
  if (nodes.length > 1)
    notes.push(
      "every node must run dockerd without a default bridge (--bridge=none), as the manager does: a task with no " +
        "network attachment gets its node's default network, and only the manager's could be checked",
    );
  if (nodes.length > 1)
    notes.push(
      "the replays' folders (their copy of the code, outputs, sandbox store) are bind-mounted from this machine: " +
        "a task on another node sees them only where that node shares this file system at the same paths",
    );
  return { executor, ...(local.image !== undefined ? { image: local.image } : {}), notes };
}

/**
 * A service cannot be given network "none" (the engine refuses it), and a task with no
 * network attachment gets its node's default network: the bridge, where dockerd has
 * one. Replays must have no network, so an engine with a default bridge is refused.
 */
export async function refuseDefaultBridge(client: Docker): Promise<void> {
  const networks = (await client.listNetworks({ filters: { name: ["bridge"] } })) as Array<{
    Name?: string;
    Driver?: string;
  }>;
  if (networks.some((n) => n.Name === "bridge" && n.Driver === "bridge"))
    throw new Error(
      "the swarm manager's engine has a default bridge network, so a replay task with no network attachment would get " +
        "network access (services cannot be given network none): run every node's dockerd with --bridge=none, " +
        "or use --executor docker",
    );
}

interface NodeView {
  Status?: { State?: string };
  Spec?: { Availability?: string };
  Description?: { Resources?: { NanoCPUs?: number; MemoryBytes?: number } };
}

/** The swarm's nodes that take tasks (ready, active); throws when the engine is no swarm manager. */
async function swarmNodes(client: Docker): Promise<NodeView[]> {
  let nodes: NodeView[];
  try {
    nodes = (await client.listNodes()) as NodeView[];
  } catch (err) {
    throw new Error(
      `the swarm executor needs DOCKER_HOST to name a swarm manager; this engine answered: ${(err as Error).message.trim()}`,
    );
  }
  return nodes.filter((n) => n.Status?.State === "ready" && (n.Spec?.Availability ?? "active") === "active");
}

/** What the swarm's ready nodes have together: the pool's default size comes from it. */
export async function swarmCapacity(client: Docker = docker()): Promise<EngineCapacity | undefined> {
  try {
    const nodes = await swarmNodes(client);
    const cpus = nodes.reduce((s, n) => s + (n.Description?.Resources?.NanoCPUs ?? 0), 0) / 1e9;
    const memoryBytes = nodes.reduce((s, n) => s + (n.Description?.Resources?.MemoryBytes ?? 0), 0);
    if (!(cpus > 0) || !(memoryBytes > 0)) return undefined;
    return { cpus, memoryBytes, what: `the swarm's ${nodes.length} node(s)` };
  } catch {
    return undefined;
  }
}
