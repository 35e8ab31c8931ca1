import { describe, expect, it } from "vitest";
import { dockerEnvRuntime } from "../../../harness/exec/docker-env.js";

describe("dockerEnvRuntime", () => {
  it("mounts every volume read-only and lists the ones asked for writable", () => {
    const rt = dockerEnvRuntime(
      { image: "img", volumes: ["/data:/data:ro", "cache:/cache", "/scratch:/scratch:rw"] },
      "/proj",
      {},
    );
    expect(rt.mounts).toEqual([
      { host: "/data", container: "/data", readOnly: true },
      { host: "/proj/cache", container: "/cache", readOnly: true },
      { host: "/scratch", container: "/scratch", readOnly: true },
    ]);
    expect(rt.forcedReadOnly).toEqual(["cache:/cache", "/scratch:/scratch:rw"]);
  });

  it("copies named host variables, sets pairs, and reports the unset ones", () => {
    const rt = dockerEnvRuntime({ image: "img", environment: ["FROM_HOST", "UNSET_HERE", ["PAIR", "v"]] }, "/proj", { FROM_HOST: "h" });
    expect(rt.env).toEqual({ FROM_HOST: "h", PAIR: "v" });
    expect(rt.missingHostVars).toEqual(["UNSET_HERE"]);
  });

  it("refuses a volume that is not host:container[:ro|rw] with an absolute container path", () => {
    for (const bad of ["/only-one", "/a:relative", "/a:/b:rx", "/a:/b:ro:extra"]) {
      expect(() => dockerEnvRuntime({ image: "img", volumes: [bad] }, "/proj", {})).toThrow(/is not "host:container\[:ro\|rw\]"/);
    }
  });
});
