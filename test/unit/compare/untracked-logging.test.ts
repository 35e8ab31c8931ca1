import { describe, expect, it } from "vitest";
import { untrackedLoggedAnyway } from "../../../harness/compare/untracked-logging.js";

// The untracked arm's one promise: no MLflow. What MLflow leaves by default when no
// tracking URI is set, in each version's layout, fails the execution; anything else does not.

describe("untrackedLoggedAnyway", () => {
  it("names MLflow's default stores the execution left: ./mlruns, mlflow.db, ./mlartifacts", () => {
    for (const path of ["mlruns/0/abc/meta.yaml", "mlflow.db", "mlruns.db", "mlartifacts/1/x/artifacts/m.pkl"])
      expect(untrackedLoggedAnyway([{ path, change: "added" }]), path).toContain(path);
  });

  it("lists three and says there are more", () => {
    const outputs = [1, 2, 3, 4].map((i) => ({ path: `mlruns/0/r${i}/meta.yaml`, change: "added" }));
    expect(untrackedLoggedAnyway(outputs)).toMatch(/r1.*r2.*r3\/meta\.yaml, \.\.\. in its copy/);
  });

  it("lets the workload's own files be, and a store it deleted", () => {
    expect(
      untrackedLoggedAnyway([
        { path: "metrics.json", change: "added" },
        { path: "out/mlruns-summary.txt", change: "added" },
        { path: "data/mlflow.db.bak", change: "modified" },
        { path: "mlruns/0/meta.yaml", change: "deleted" },
      ]),
    ).toBeUndefined();
  });
});
