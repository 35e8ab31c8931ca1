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
      "the replays' folders (their copy of the code, outputs, sandbox store) are bind-mounted from this machine: " +
        "a task on another node sees them only where that node shares this file system at the same paths",
    );
  return { executor, ...(local.image !== undefined ? { image: local.image } : {}), notes };
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
