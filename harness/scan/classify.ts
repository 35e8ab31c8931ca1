import type { ArgValue, ParsedFile, PyCall } from "./facts.js";
import type { HazardKind, TrackingFeature } from "./kinds.js";
import { lastName, resolverFor } from "./resolve.js";

// One file's extracted facts → the tracking calls it makes and the reproducibility
// hazards it shows. PURE: the extractor's JSON in, findings out.
//
// Seeding rule (a heuristic, stated in --help and the README): a use of a random
// generator is seeded when a seed call for that generator's family stands on an
// earlier line of the same file (for a notebook: an earlier line of the code cells
// in order). A seed set in another module, or inside a function called before, is
// not seen; a seed on an earlier line inside a function that never runs is counted.

export interface FeatureUse {
  feature: TrackingFeature;
  line: number;
  /** the resolved callee: mlflow.sklearn.autolog (for example) */
  callee: string;
}

export interface Hazard {
  kind: HazardKind;
  line: number;
  /** one line: what was seen and why it matters */
  why: string;
}

export interface FileFindings {
  features: FeatureUse[];
  hazards: Hazard[];
}

type Family = "numpy" | "random" | "torch" | "tensorflow";

/** Seed calls and the generator families each one seeds. */
const SEEDS = new Map<string, readonly Family[]>(
  Object.entries({
    "numpy.random.seed": ["numpy"],
    "random.seed": ["random"],
    "torch.manual_seed": ["torch"],
    "torch.random.manual_seed": ["torch"],
    "tensorflow.random.set_seed": ["tensorflow"],
    "tensorflow.set_random_seed": ["tensorflow"],
    "tensorflow.compat.v1.set_random_seed": ["tensorflow"],
    "tensorflow.keras.utils.set_random_seed": ["tensorflow", "numpy", "random"],
    "keras.utils.set_random_seed": ["tensorflow", "numpy", "random"],
    "pytorch_lightning.seed_everything": ["torch", "numpy", "random"],
    "lightning.seed_everything": ["torch", "numpy", "random"],
    "lightning.pytorch.seed_everything": ["torch", "numpy", "random"],
    "transformers.set_seed": ["torch", "numpy", "random", "tensorflow"],
    "accelerate.utils.set_seed": ["torch", "numpy", "random"],
  }),
);

const NUMPY_NOT_GLOBAL = new Set([
  "seed",
  "default_rng",
  "RandomState",
  "Generator",
  "SeedSequence",
  "BitGenerator",
  "PCG64",
  "PCG64DXSM",
  "MT19937",
  "Philox",
  "SFC64",
  "get_state",
  "set_state",
]);
const RANDOM_DRAWS = new Set([
  "random",
  "randint",
  "randrange",
  "choice",
  "choices",
  "shuffle",
  "sample",
  "uniform",
  "gauss",
  "normalvariate",
  "lognormvariate",
  "getrandbits",
  "triangular",
  "betavariate",
  "expovariate",
  "randbytes",
]);
const TORCH_DRAWS = new Set([
  "rand",
  "randn",
  "randint",
  "randperm",
  "rand_like",
  "randn_like",
  "randint_like",
  "bernoulli",
  "multinomial",
  "normal",
  "poisson",
]);
const TORCH_LAYERS = new Set([
  "Linear",
  "Bilinear",
  "Conv1d",
  "Conv2d",
  "Conv3d",
  "ConvTranspose1d",
  "ConvTranspose2d",
  "LSTM",
  "GRU",
  "RNN",
  "Embedding",
  "MultiheadAttention",
  "Transformer",
  "TransformerEncoderLayer",
  "TransformerDecoderLayer",
  "Dropout",
]);
const KERAS_LAYERS = new Set([
  "Dense",
  "Conv1D",
  "Conv2D",
  "Conv3D",
  "LSTM",
  "GRU",
  "SimpleRNN",
  "Embedding",
  "Dropout",
]);
const TF_RANDOM_NOT_DRAWS = new Set(["set_seed", "Generator", "get_global_generator", "set_global_generator"]);

/** sklearn's estimators and helpers that draw from random_state, with when they do. */
const SKLEARN_RANDOM = new Map<string, (call: PyCall) => boolean>([
  ...[
    "RandomForestClassifier",
    "RandomForestRegressor",
    "ExtraTreesClassifier",
    "ExtraTreesRegressor",
    "GradientBoostingClassifier",
    "GradientBoostingRegressor",
    "HistGradientBoostingClassifier",
    "HistGradientBoostingRegressor",
    "DecisionTreeClassifier",
    "DecisionTreeRegressor",
    "ExtraTreeClassifier",
    "ExtraTreeRegressor",
    "BaggingClassifier",
    "BaggingRegressor",
    "AdaBoostClassifier",
    "AdaBoostRegressor",
    "IsolationForest",
    "RandomTreesEmbedding",
    "SGDClassifier",
    "SGDRegressor",
    "SGDOneClassSVM",
    "Perceptron",
    "PassiveAggressiveClassifier",
    "PassiveAggressiveRegressor",
    "MLPClassifier",
    "MLPRegressor",
    "KMeans",
    "MiniBatchKMeans",
    "BisectingKMeans",
    "SpectralClustering",
    "GaussianMixture",
    "BayesianGaussianMixture",
    "TSNE",
    "TruncatedSVD",
    "NMF",
    "MiniBatchNMF",
    "FastICA",
    "LatentDirichletAllocation",
    "RandomizedSearchCV",
    "HalvingRandomSearchCV",
    "ParameterSampler",
    "ShuffleSplit",
    "StratifiedShuffleSplit",
    "GroupShuffleSplit",
    "RepeatedKFold",
    "RepeatedStratifiedKFold",
    "resample",
  ].map((n) => [n, () => true] as const),
  ["shuffle", (c: PyCall) => c.keywords["n_samples"] !== undefined || c.nargs > 0],
  ["train_test_split", (c: PyCall) => c.keywords["shuffle"] !== false],
  ["KFold", (c: PyCall) => c.keywords["shuffle"] === true],
  ["StratifiedKFold", (c: PyCall) => c.keywords["shuffle"] === true],
  ["ElasticNet", (c: PyCall) => c.keywords["selection"] === "random"],
  ["ElasticNetCV", (c: PyCall) => c.keywords["selection"] === "random"],
  ["Lasso", (c: PyCall) => c.keywords["selection"] === "random"],
  ["LassoCV", (c: PyCall) => c.keywords["selection"] === "random"],
  ["LogisticRegression", (c: PyCall) => ["sag", "saga", "liblinear"].includes(String(c.keywords["solver"]))],
  ["SVC", (c: PyCall) => c.keywords["probability"] === true],
  ["NuSVC", (c: PyCall) => c.keywords["probability"] === true],
]);

const DOWNLOADS = new Set([
  "urllib.request.urlopen",
  "urllib.request.urlretrieve",
  "urllib.urlopen",
  "urllib.urlretrieve",
  "urllib2.urlopen",
  "requests.get",
  "requests.post",
  "requests.request",
  "requests.Session().get",
  "httpx.get",
  "httpx.stream",
  "wget.download",
  "gdown.download",
  "datasets.load_dataset",
  "huggingface_hub.hf_hub_download",
  "huggingface_hub.snapshot_download",
  "tensorflow_datasets.load",
  "tensorflow.keras.utils.get_file",
  "keras.utils.get_file",
  "torch.hub.load",
  "torch.hub.load_state_dict_from_url",
  "torch.hub.download_url_to_file",
  "kagglehub.dataset_download",
  "sklearn.datasets.fetch_openml",
]);
const READERS_OF_URLS = /^(pandas|polars)\.read_(csv|json|parquet|excel|table|html)$/;
const SHELL_CALLS = /^(os\.system|os\.popen|subprocess\.(run|call|check_call|check_output|Popen))$/;
const DOWNLOAD_COMMAND = /(^|[\s;&|(])(wget|curl|gsutil\s+cp|aws\s+s3\s+cp|kaggle\s+datasets\s+download)\b/;

// A Map, not an object: a method named `constructor` must not find Object's.
const FEATURE_BY_NAME = new Map<string, TrackingFeature>(
  Object.entries({
    start_run: "start_run",
    log_param: "log_param",
    log_params: "log_params",
    log_metric: "log_metric",
    log_metrics: "log_metrics",
    log_artifact: "log_artifact",
    log_artifacts: "log_artifacts",
    log_input: "log_input",
    set_tag: "set_tag",
    set_tags: "set_tags",
    autolog: "autolog",
    log_model: "log_model",
    register_model: "register_model",
    // the client's way to register a version
    create_model_version: "register_model",
  }) as Array<[string, TrackingFeature]>,
);

const isSet = (v: ArgValue | undefined): boolean => v !== undefined && v !== null;
const isCudaText = (v: ArgValue | undefined): boolean => typeof v === "string" && /^cuda(:\d+)?$/.test(v);
const firstArgSet = (c: PyCall): boolean => c.nargs > 0 && c.args[0] !== null;

/** The findings of one parsed file; `shell` holds a notebook's shell lines (`!wget ...`). */
export function classifyFile(
  file: ParsedFile,
  shell: ReadonlyArray<{ line: number; text: string }> = [],
): FileFindings {
  const resolve = resolverFor(file);
  const calls = file.calls.map((c) => ({ ...c, name: resolve(c.callee) }));
  const assigns = file.assigns.map((a) => ({ ...a, name: resolve(a.target) }));
  const features: FeatureUse[] = [];
  const hazards: Hazard[] = [];
  const hazard = (kind: HazardKind, line: number, why: string) => hazards.push({ kind, line, why });

  // Seeds: the first line each family is seeded on.
  const seededAt = new Map<Family, number>();
  for (const c of calls) {
    const families = SEEDS.get(c.name);
    if (families === undefined || !(firstArgSet(c) || Object.values(c.keywords).some(isSet))) continue;
    for (const f of families) seededAt.set(f, Math.min(seededAt.get(f) ?? Number.POSITIVE_INFINITY, c.line));
  }
  const seeded = (f: Family, line: number) => (seededAt.get(f) ?? Number.POSITIVE_INFINITY) < line;

  for (const c of calls) {
    const n = c.name;
    const last = lastName(n);
    const parts = n.split(".");
    // Tracking calls: anything rooted at mlflow whose last name is a tracking call.
    if (parts[0] === "mlflow") {
      const feature = FEATURE_BY_NAME.get(last);
      if (feature !== undefined) features.push({ feature, line: c.line, callee: n });
    }
    // numpy
    if (parts.length === 3 && n.startsWith("numpy.random.") && !NUMPY_NOT_GLOBAL.has(last)) {
      if (!seeded("numpy", c.line))
        hazard("unseeded-rng", c.line, `numpy's global RNG (${last}) used with no numpy.random.seed before it`);
    } else if (
      (n === "numpy.random.default_rng" || n === "numpy.random.RandomState") &&
      !firstArgSet(c) &&
      !isSet(c.keywords["seed"])
    ) {
      hazard("unseeded-rng", c.line, `${last}() without a seed draws its state from the OS`);
    }
    // random
    if (parts.length === 2 && parts[0] === "random" && RANDOM_DRAWS.has(last) && !seeded("random", c.line))
      hazard("unseeded-rng", c.line, `random.${last} used with no random.seed before it`);
    if (n === "random.Random" && !firstArgSet(c))
      hazard("unseeded-rng", c.line, "random.Random() without a seed draws its state from the OS");
    // torch
    if (parts[0] === "torch" && !seeded("torch", c.line)) {
      const draw = parts.length === 2 && TORCH_DRAWS.has(last);
      const init =
        n.startsWith("torch.nn.init.") || (parts.length === 3 && parts[1] === "nn" && TORCH_LAYERS.has(last));
      const split = n === "torch.utils.data.random_split" && !isSet(c.keywords["generator"]);
      const loader =
        n === "torch.utils.data.DataLoader" && c.keywords["shuffle"] === true && !isSet(c.keywords["generator"]);
      if (draw || init || split || loader)
        hazard(
          "unseeded-rng",
          c.line,
          `${n.replace(/^torch\./, "torch.")} draws from torch's global RNG with no torch.manual_seed before it`,
        );
    }
    // tensorflow / keras
    const tfName = n.replace(/^tensorflow\.keras\./, "keras.");
    const tfDraw =
      (n.startsWith("tensorflow.random.") && parts.length === 3 && !TF_RANDOM_NOT_DRAWS.has(last)) ||
      (tfName.startsWith("keras.layers.") && KERAS_LAYERS.has(last));
    if (tfDraw && !seeded("tensorflow", c.line) && !isSet(c.keywords["seed"]))
      hazard("unseeded-rng", c.line, `${n} draws from TensorFlow's RNG with no tf.random.set_seed before it`);
    // sklearn: random_state=None falls back to numpy's global RNG, so a numpy seed counts too.
    if (parts[0] === "sklearn") {
      const when = SKLEARN_RANDOM.get(last);
      if (when?.(c) && !isSet(c.keywords["random_state"]) && !seeded("numpy", c.line))
        hazard("unseeded-rng", c.line, `${last} without random_state (and no numpy.random.seed before it)`);
      if (/^sklearn\.datasets\.fetch_/.test(n) && n !== "sklearn.datasets.fetch_openml")
        hazard("runtime-download", c.line, `${last} downloads its data at run time (unless already cached)`);
    }
    // downloads
    if (DOWNLOADS.has(n)) hazard("runtime-download", c.line, `${n} fetches data over the network at run time`);
    else if (/^(tensorflow\.keras|keras)\.datasets\.\w+\.load_data$/.test(n))
      hazard("runtime-download", c.line, `${n} downloads its data at run time (unless already cached)`);
    else if (/^torchvision\.datasets\./.test(n) && c.keywords["download"] === true)
      hazard("runtime-download", c.line, `${n}(download=True) downloads its data at run time`);
    else if (READERS_OF_URLS.test(n) && typeof c.args[0] === "string" && /^(https?|ftp|s3|gs):\/\//.test(c.args[0]))
      hazard("runtime-download", c.line, `${n} reads a URL (${c.args[0].slice(0, 60)})`);
    else if (SHELL_CALLS.test(n) && typeof c.args[0] === "string" && DOWNLOAD_COMMAND.test(c.args[0]))
      hazard("runtime-download", c.line, `${n} runs a download (${c.args[0].slice(0, 60)})`);
  }

  // GPU settings
  for (const a of assigns) {
    if (a.name === "torch.backends.cudnn.benchmark" && "literal" in a.value && a.value.literal === true)
      hazard(
        "gpu-nondeterminism",
        a.line,
        "torch.backends.cudnn.benchmark = True picks kernels by timing: results can differ run to run",
      );
  }
  const torchDeterministic =
    calls.some((c) => c.name === "torch.use_deterministic_algorithms" && c.args[0] === true) ||
    assigns.some(
      (a) => a.name === "torch.backends.cudnn.deterministic" && "literal" in a.value && a.value.literal === true,
    );
  const cudaUse = calls.find(
    (c) =>
      (c.name.startsWith("torch.cuda.") && !c.name.includes("manual_seed")) ||
      (c.callee.includes(".") && lastName(c.callee) === "cuda") ||
      isCudaText(c.args[0]) ||
      isCudaText(c.keywords["device"]),
  );
  if (cudaUse !== undefined && !torchDeterministic && file.imports.some((i) => i.module.split(".")[0] === "torch"))
    hazard(
      "gpu-nondeterminism",
      cudaUse.line,
      "CUDA used without torch.use_deterministic_algorithms(True): some GPU kernels are nondeterministic",
    );
  const usesTf = calls.some((c) => /^(tensorflow|keras)\./.test(c.name));
  const tfDeterministic =
    calls.some((c) => c.name === "tensorflow.config.experimental.enable_op_determinism") ||
    assigns.some(
      (a) =>
        /^os\.environ\[TF_DETERMINISTIC_OPS\]$/.test(a.name) &&
        "literal" in a.value &&
        /^(1|true)$/i.test(String(a.value.literal)),
    ) ||
    calls.some((c) => /^os\.environ\.(setdefault|update)$/.test(c.name) && c.args[0] === "TF_DETERMINISTIC_OPS");
  const tfImport = file.imports.find((i) => /^(tensorflow|keras)(\.|$)/.test(i.module));
  if (usesTf && !tfDeterministic && tfImport !== undefined)
    hazard(
      "gpu-nondeterminism",
      tfImport.line,
      "TensorFlow used without tf.config.experimental.enable_op_determinism(): GPU ops may be nondeterministic",
    );

  // A notebook's shell lines
  for (const s of shell) {
    if (DOWNLOAD_COMMAND.test(s.text))
      hazard("runtime-download", s.line, `shell command downloads: ${s.text.slice(0, 60)}`);
    const pip = /^(?:python3?\s+-m\s+)?pip3?\s+install\s+(.*)$/.exec(s.text);
    if (pip?.[1] !== undefined) {
      const unpinned = pip[1]
        .split(/\s+/)
        .filter((t) => t !== "" && !t.startsWith("-") && !/===?/.test(t) && !/[/:]/.test(t));
      if (unpinned.length > 0)
        hazard("unpinned-requirement", s.line, `pip install without == for ${unpinned.slice(0, 4).join(", ")}`);
    }
  }

  hazards.sort((a, b) => a.line - b.line || a.kind.localeCompare(b.kind));
  return { features: features.sort((a, b) => a.line - b.line), hazards };
}
