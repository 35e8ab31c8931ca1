import { engineAvailable, engineEndpoint } from "../../harness/exec/engine.js";

/** Resolved once per test file; integration tests skip loudly (never fake the engine) without one. */
export const dockerAvailable = await engineAvailable();

if (!dockerAvailable) {
  console.warn(
    `\n*** SKIPPING Docker integration tests: no engine answers at ${engineEndpoint()}. ` +
      `Run \`bash scripts/ensure-docker.sh\` as root or set DOCKER_HOST. ***\n`,
  );
}
