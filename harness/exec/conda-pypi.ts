/**
 * Conda dependencies of a conda.yaml as pip requirements. Pure.
 *
 * The image has no conda: a conda package can only be honoured by installing its PyPI
 * counterpart. The rule is an explicit table and nothing else: a conda name is mapped
 * only when it is listed in CONDA_TO_PYPI, even where both sides spell it the same.
 * A same-name guess is not safe: conda's `graphviz`, `mkl`, `openssl` or `tzdata` are
 * system libraries while PyPI's packages of those names are something else (bindings,
 * a wheel of the library, Python's time-zone data). Everything unlisted stays
 * "not honoured" with its reason, so the report never claims more than was done.
 *
 * Conda's version syntax (MatchSpec), as pip specifiers:
 *   `numpy`                     -> numpy
 *   `numpy=1.26`                -> numpy==1.26.*   (one "=" is conda's prefix match)
 *   `numpy=1.26.4=py311h...`    -> numpy==1.26.4   (with a build string the version is exact; the build is dropped)
 *   `numpy 1.26.4` / `numpy 1.26.4 py311h...` -> numpy==1.26.4 (space form: exact)
 *   `numpy==1.26.4`, `numpy>=1.2,<2`, `numpy!=1.0` -> as written
 *   `conda-forge::numpy=1.26`   -> the channel is dropped, then as above
 * Anything else (OR-ed versions `1.2|1.3`, bracket specs `numpy[version='>=1']`) is
 * not honoured, with the reason.
 */

/** Conda package name -> PyPI project name, for the packages ML projects commonly list. */
export const CONDA_TO_PYPI: Readonly<Record<string, string>> = {
  // numerical and data
  numpy: "numpy",
  scipy: "scipy",
  pandas: "pandas",
  pyarrow: "pyarrow",
  "scikit-learn": "scikit-learn",
  "scikit-image": "scikit-image",
  statsmodels: "statsmodels",
  sympy: "sympy",
  networkx: "networkx",
  numba: "numba",
  h5py: "h5py",
  joblib: "joblib",
  threadpoolctl: "threadpoolctl",
  cloudpickle: "cloudpickle",
  // plotting
  matplotlib: "matplotlib",
  "matplotlib-base": "matplotlib",
  seaborn: "seaborn",
  "seaborn-base": "seaborn",
  plotly: "plotly",
  pillow: "pillow",
  // learners and frameworks (conda-forge names where they differ)
  xgboost: "xgboost",
  "py-xgboost": "xgboost",
  "py-xgboost-cpu": "xgboost",
  lightgbm: "lightgbm",
  catboost: "catboost",
  pytorch: "torch",
  "pytorch-cpu": "torch",
  torchvision: "torchvision",
  torchaudio: "torchaudio",
  tensorflow: "tensorflow",
  "tensorflow-cpu": "tensorflow-cpu",
  keras: "keras",
  transformers: "transformers",
  optuna: "optuna",
  hyperopt: "hyperopt",
  // MLflow itself
  mlflow: "mlflow",
  "mlflow-skinny": "mlflow-skinny",
  // common pure-Python utilities
  pyyaml: "pyyaml",
  requests: "requests",
  tqdm: "tqdm",
  click: "click",
  packaging: "packaging",
  six: "six",
  "python-dateutil": "python-dateutil",
  pytz: "pytz",
  attrs: "attrs",
  jinja2: "jinja2",
  markupsafe: "markupsafe",
  "typing-extensions": "typing-extensions",
  typing_extensions: "typing-extensions",
  protobuf: "protobuf",
  psutil: "psutil",
  sqlalchemy: "sqlalchemy",
  flask: "flask",
  cython: "cython",
  setuptools: "setuptools",
  wheel: "wheel",
};

/**
 * Conda packages that are system libraries, compilers, meta-packages or conda's own
 * plumbing: no PyPI package stands for them (the base image's libraries, or the copies
 * a wheel bundles, are what the replay runs with). Named so the reason says so.
 */
const CONDA_ONLY: readonly RegExp[] = [
  /^_/, // _libgcc_mutex, _openmp_mutex
  /^lib/, // libgcc-ng, libstdcxx-ng, libgomp, libblas, libffi, libzlib, ...
  /^(cudatoolkit|cudnn|nccl|cuda|cuda-.*|pytorch-cuda|cpuonly|magma.*)$/,
  /^(mkl|mkl-.*|intel-openmp|blas|openblas|tbb|llvm-openmp|llvmlite-meta)$/,
  /^(openssl|ca-certificates|certifi-meta|zlib|xz|bzip2|lz4-c|zstd|tk|sqlite|readline|ncurses|tzdata|icu|expat)$/,
  /^(ld_impl_linux-64|gcc.*|gxx.*|binutils.*|make|cmake|pkg-config|sysroot_linux-64|kernel-headers_linux-64)$/,
  /^(python_abi|conda|conda-.*|mamba|pip-tools-meta)$/,
];

export type CondaDependency =
  | { kind: "pip"; requirement: string; pypiName: string }
  | { kind: "ignored"; reason: string };

/** The conda package name of a MatchSpec (channel dropped), or undefined when it is not one. */
function condaName(spec: string): { name: string; rest: string } | undefined {
  const noChannel = spec.includes("::") ? spec.slice(spec.lastIndexOf("::") + 2) : spec;
  const m = /^([A-Za-z0-9_][A-Za-z0-9_.-]*)(.*)$/s.exec(noChannel.trim());
  if (!m) return undefined;
  return { name: (m[1] as string).toLowerCase(), rest: (m[2] as string).trim() };
}

/** Conda's version part as pip specifiers ("" for any version); undefined when pip cannot say it. */
function condaVersion(spec: string): string | undefined {
  let rest = spec;
  if (rest === "") return "";
  if (/[|[\]]/.test(rest)) return undefined;
  // `>= 1.2` as `>=1.2`: conda allows the space, and it is not a build string.
  rest = rest.replace(/(==|!=|>=|<=|~=|>|<)\s+/g, "$1");
  // name=version[=build]: one "=" is a prefix match, exact once a build is given.
  const eq = /^=(?!=)\s*([^=\s]+)(?:=(\S+))?$/.exec(rest);
  if (eq) {
    const version = eq[1] as string;
    if (version === "*") return "";
    if (version.endsWith("*")) return `==${version.replace(/\.?\*$/, "")}.*`;
    return eq[2] !== undefined ? `==${version}` : `==${version}.*`;
  }
  // name version [build]: space-separated, the version is exact (or a glob / operators).
  const sp = /^(\S+)(?:\s+\S+)?$/.exec(rest);
  const version = sp?.[1];
  if (version === undefined) return undefined;
  if (/^(==|!=|>=|<=|>|<|~=)/.test(version)) return version;
  if (version === "*") return "";
  if (version.endsWith("*")) return `==${version.replace(/\.?\*$/, "")}.*`;
  return `==${version}`;
}

/**
 * One entry of conda.yaml's `dependencies` (not python, not pip): the pip requirement
 * that honours it, or why it is not honoured. The requirement line is not yet
 * normalised (the caller parses it like any pip line).
 */
export function condaDependency(entry: string): CondaDependency {
  const parsed = condaName(entry);
  if (parsed === undefined) return { kind: "ignored", reason: "conda package not honoured: not a conda package spec" };
  const { name, rest } = parsed;
  const pypiName = CONDA_TO_PYPI[name];
  if (pypiName === undefined) {
    if (CONDA_ONLY.some((re) => re.test(name))) {
      return {
        kind: "ignored",
        reason:
          "conda package not honoured: a system library or conda-only package with no PyPI counterpart (no conda in the image)",
      };
    }
    if (/^r-/.test(name)) return { kind: "ignored", reason: "conda package not honoured: an R package" };
    return {
      kind: "ignored",
      reason:
        "conda package not honoured: no PyPI name is known for it (no conda in the image; list it under `pip:` to install it)",
    };
  }
  const version = condaVersion(rest);
  if (version === undefined) {
    return {
      kind: "ignored",
      reason: `conda package not honoured: its version spec ${JSON.stringify(rest)} has no pip equivalent the harness understands`,
    };
  }
  return { kind: "pip", requirement: `${pypiName}${version}`, pypiName };
}
