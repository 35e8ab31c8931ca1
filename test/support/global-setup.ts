import type { TestProject } from "vitest/node";

// One token per `vitest run`: test files run in separate processes one after another,
// and each end-to-end file used to recompile the CLI (~12 s of tsc each, a dozen
// files). With the token, buildCli compiles once per run and later files reuse dist/.
declare module "vitest" {
  export interface ProvidedContext {
    buildToken: string;
  }
}

export default function setup(project: TestProject): void {
  project.provide("buildToken", `${process.pid}-${Date.now()}`);
}
