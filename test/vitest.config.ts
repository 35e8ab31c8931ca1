import { defineConfig } from "vitest/config";

// Integration tests start real servers and containers: give them room, and run
// files one at a time on these 2-core machines so timings stay sane.
export default defineConfig({
  test: {
    root: new URL("..", import.meta.url).pathname,
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    fileParallelism: false,
    reporters: ["default"],
  },
});
