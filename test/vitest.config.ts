import { defineConfig } from "vitest/config";

// Integration tests start real servers and containers: give them room, and run
// files one at a time on these 2-core machines so timings stay sane.
export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    // Every MLflow client a test starts (recording runs, the server) inherits this: MLflow 3's
    // telemetry would reach for a remote endpoint, and its session-id handling once raced.
    env: { MLFLOW_DISABLE_TELEMETRY: "true" },
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    reporters: ["default"],
  },
});
