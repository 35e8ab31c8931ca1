import type { Command } from "commander";
import { defaultDataDir } from "../../tracking/server/data-dir.js";

// The server's code (and its state schema) loads only when a subcommand runs, so
// that `--help` stays fast.
const server = () => import("../../tracking/server/embedded-server.js");

export function registerServerCommand(program: Command): void {
  const cmd = program
    .command("server")
    .description(
      "Manage the embedded MLflow tracking server (sqlite backend, served artifacts, loopback only).\n" +
        "Other commands start it on demand when MLFLOW_TRACKING_URI is not set.",
    );
  const dataDirOption = `data folder (default: $REPRO_AUDIT_DATA_DIR or ${defaultDataDir()})`;

  cmd
    .command("start")
    .description("start the server for a data folder, or report the one already serving it")
    .option("--data-dir <dir>", dataDirOption)
    .option("--port <port>", "port on 127.0.0.1 (default: a free one)", (v) => parsePort(v))
    .action(async (opts: { dataDir?: string; port?: number }) => {
      const { state, reused } = await (await server()).startEmbeddedServer({
        ...(opts.dataDir ? { dataDir: opts.dataDir } : {}),
        ...(opts.port ? { port: opts.port } : {}),
      });
      console.log(`${reused ? "already running" : "started"}: ${state.url} (pid ${state.pid}, data ${state.dataDir})`);
      console.log(`use it with: export MLFLOW_TRACKING_URI=${state.url}`);
    });

  cmd
    .command("stop")
    .description("stop the server of a data folder")
    .option("--data-dir <dir>", dataDirOption)
    .action(async (opts: { dataDir?: string }) => {
      const stopped = await (await server()).stopEmbeddedServer(opts.dataDir ?? defaultDataDir());
      console.log(stopped ? "stopped" : "not running");
    });

  cmd
    .command("status")
    .description("say whether the server of a data folder runs and answers /health")
    .option("--data-dir <dir>", dataDirOption)
    .option("--json", "print the status as JSON")
    .action(async (opts: { dataDir?: string; json?: boolean }) => {
      const status = await (await server()).embeddedServerStatus(opts.dataDir ?? defaultDataDir());
      if (opts.json) {
        console.log(JSON.stringify(status, null, 2));
        return;
      }
      if (!status.state) console.log(`not running (data ${status.dataDir})`);
      else
        console.log(
          `${status.healthy ? "running" : status.running ? "running, not answering /health" : "not running (stale state)"}: ` +
            `${status.state.url} (pid ${status.state.pid}, data ${status.dataDir})`,
        );
    });
}

function parsePort(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`--port must be 1..65535, got "${value}"`);
  return n;
}
