import { describe, expect, it } from "vitest";
import { CONDA_TO_PYPI, condaDependency } from "../../../harness/exec/conda-pypi.js";
import { parseCondaYaml } from "../../../harness/exec/env-spec.js";
import { normaliseName } from "../../../harness/exec/requirements.js";

const pip = (entry: string) => {
  const d = condaDependency(entry);
  return d.kind === "pip" ? d.requirement : `ignored: ${d.reason}`;
};

describe("conda dependencies as pip requirements", () => {
  it.each([
    ["numpy", "numpy"],
    // one "=" is conda's prefix match
    ["numpy=1.26", "numpy==1.26.*"],
    ["numpy=1.26.4", "numpy==1.26.4.*"],
    ["numpy=1.26.*", "numpy==1.26.*"],
    ["numpy=*", "numpy"],
    // with a build string the version is exact, the build dropped
    ["numpy=1.26.4=py311h64a7726_0", "numpy==1.26.4"],
    // the space form: exact, build dropped
    ["numpy 1.26.4", "numpy==1.26.4"],
    ["numpy 1.26.4 py311h64a7726_0", "numpy==1.26.4"],
    ["numpy 1.26.*", "numpy==1.26.*"],
    // pip's own operators, as written
    ["numpy==1.26.4", "numpy==1.26.4"],
    ["numpy>=1.2", "numpy>=1.2"],
    ["numpy >= 1.2", "numpy>=1.2"],
    ["numpy>=1.2,<2", "numpy>=1.2,<2"],
    ["numpy!=1.0", "numpy!=1.0"],
    // a channel prefix is dropped
    ["conda-forge::numpy", "numpy"],
    ["conda-forge::numpy=1.26", "numpy==1.26.*"],
    ["pytorch/linux-64::pytorch=2.1.0", "torch==2.1.0.*"],
    // names that differ between conda and PyPI
    ["pytorch=2.1", "torch==2.1.*"],
    ["py-xgboost=2.0.3", "xgboost==2.0.3.*"],
    ["matplotlib-base=3.8", "matplotlib==3.8.*"],
    ["Scikit-Learn=1.5", "scikit-learn==1.5.*"],
  ])("%s -> %s", (entry, want) => {
    expect(pip(entry)).toBe(want);
  });

  it.each([
    "cudatoolkit=11.8",
    "cudnn",
    "mkl=2023.1.0",
    "libgcc-ng=13.2.0",
    "_libgcc_mutex=0.1=conda_forge",
    "_openmp_mutex",
    "openssl=3.2.0",
    "python_abi=3.11=4_cp311",
    "ca-certificates",
    "tzdata",
    "libstdcxx-ng",
    "pytorch-cuda=12.1",
  ])("never maps the system / conda-only package %s", (entry) => {
    const d = condaDependency(entry);
    expect(d).toEqual({ kind: "ignored", reason: expect.stringMatching(/not honoured: a system library/) });
  });

  it("an unlisted package is not honoured, even where PyPI has the same name (no same-name guessing)", () => {
    const d = condaDependency("tabulate=0.9");
    expect(d.kind).toBe("ignored");
    expect(d.kind === "ignored" ? d.reason : "").toMatch(/not honoured: no PyPI name is known.*pip:/);
  });

  it("a version spec pip cannot say is not honoured, with the spec in the reason", () => {
    expect(pip("numpy 1.2|1.3")).toMatch(/^ignored: conda package not honoured: its version spec "1.2\|1.3"/);
    expect(pip("numpy[version='>=1.2']")).toMatch(/^ignored: conda package not honoured/);
  });

  it("maps only to PyPI project names (normalised as pip writes them) and never to a system package", () => {
    for (const [conda, pypi] of Object.entries(CONDA_TO_PYPI)) {
      expect(normaliseName(pypi), conda).toBe(pypi);
      expect(["mkl", "cudatoolkit", "openssl", "libgcc", "python_abi", "_libgcc_mutex"]).not.toContain(conda);
    }
  });
});

describe("conda.yaml with conda dependencies", () => {
  const yaml = [
    "channels: [conda-forge]",
    "dependencies:",
    "  - python=3.11.5=h955ad1f_0",
    "  - conda-forge::numpy=1.26.4=py311h64a7726_0",
    "  - scikit-learn=1.5",
    "  - pytorch==2.1.0",
    "  - mkl=2023.1.0",
    "  - tabulate",
    "  - pip",
    "  - pip:",
    "      - mlflow-skinny==3.17.2",
    "",
  ].join("\n");

  it("installs the mapped ones beside the pip list and lists the rest as not honoured", () => {
    const spec = parseCondaYaml(yaml);
    expect(spec.python).toBe("3.11.5");
    expect(spec.requirements).toEqual([
      "mlflow-skinny==3.17.2",
      "numpy==1.26.4",
      "scikit-learn==1.5.*",
      "torch==2.1.0",
    ]);
    expect(spec.buildRequirements).toEqual(["pip"]);
    expect(spec.mapped).toEqual([
      { entry: "conda-forge::numpy=1.26.4=py311h64a7726_0", requirement: "numpy==1.26.4" },
      { entry: "scikit-learn=1.5", requirement: "scikit-learn==1.5.*" },
      { entry: "pytorch==2.1.0", requirement: "torch==2.1.0" },
    ]);
    expect(spec.ignored.map((i) => i.entry)).toEqual(["mkl=2023.1.0", "tabulate"]);
    for (const i of spec.ignored) expect(i.reason).toMatch(/not honoured/);
  });

  it("python_abi is a conda package, not the python pin", () => {
    const spec = parseCondaYaml("dependencies:\n  - python=3.11\n  - python_abi=3.11=4_cp311\n");
    expect(spec.python).toBe("3.11");
    expect(spec.ignored.map((i) => i.entry)).toEqual(["python_abi=3.11=4_cp311"]);
  });

  it("a conda version pip cannot read is reported, not installed", () => {
    const spec = parseCondaYaml("dependencies:\n  - numpy=1.26@beta\n");
    expect(spec.requirements).toEqual([]);
    expect(spec.ignored).toEqual([
      {
        entry: "numpy=1.26@beta",
        reason: expect.stringMatching(/not honoured: its PyPI form "numpy==1.26@beta.\*"/),
        mayBeInstalled: true,
      },
    ]);
  });
});
