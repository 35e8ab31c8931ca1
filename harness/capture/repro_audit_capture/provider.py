"""The MLflow run-context provider: what a re-run needs, recorded when a run starts.

MLflow calls ``tags()`` inside ``mlflow.start_run``, before the run exists, and
merges what it returns into the new run's tags. Tags therefore carry the compact
facts (command, git state, host); the full fingerprint, the requirements and the
diff are files, staged here and logged as artifacts right after the run is created
(see ``_install_upload_hook``). Nothing in here may break the user's run: every
failure becomes a warning and the ``repro.capture.error`` tag.

Python 3.8+ syntax, stdlib only (plus mlflow, which is what loads us).
"""

import atexit
import datetime
import functools
import hashlib
import importlib.util
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import uuid
import warnings

from mlflow.tracking.context.abstract_context import RunContextProvider

from . import __version__

_HERE = os.path.dirname(os.path.abspath(__file__))
PROBE_PATH = os.path.join(_HERE, "probe.py")

with open(os.path.join(_HERE, "vocabulary.json")) as _handle:
    _VOCABULARY = json.load(_handle)
TAGS = _VOCABULARY["tags"]
ARTIFACTS = _VOCABULARY["artifacts"]
# Every artifact lies in one folder (repro/), logged in one call.
ARTIFACT_DIR = os.path.dirname(ARTIFACTS["fingerprint"])
CAPTURE_ID_TAG = TAGS["captureId"]

# The uncommitted diff is logged when it is at most this many bytes (a replay applies
# it to the checkout); a larger one is not logged, and repro.capture.error says so.
DIFF_CAP_BYTES = 1024 * 1024
PROBE_TIMEOUT_S = 60
GIT_TIMEOUT_S = 20
# MLflow 2 and 3 accept 5000+ characters in a tag value (3.x: 8000); stay under the lower.
TAG_VALUE_CAP = 5000
DISABLE_ENV = "REPRO_AUDIT_CAPTURE_DISABLE"

# Pending uploads by capture id: staged in tags(), logged once create_run returns.
_PENDING = {}
_PENDING_LOCK = threading.Lock()
# The probe's answer for one environment: a sweep of many runs in one process probes once.
_PROBE_CACHE = {}


def _warn(message):
    warnings.warn("repro-audit capture: " + message, RuntimeWarning, stacklevel=3)


def _cap(value, cap=TAG_VALUE_CAP):
    return value if len(value) <= cap else value[: cap - 1] + "\u2026"


def _load_rules():
    """The probe module, for its redaction rules: the very ones the replays apply."""
    spec = importlib.util.spec_from_file_location("repro_audit_capture._probe_rules", PROBE_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for name in ("is_secret_name", "strip_url_credentials", "REDACTED"):
        if not hasattr(module, name):
            raise RuntimeError("probe.py has no " + name)
    return module


def _run_probe():
    key = hashlib.sha256(json.dumps([sys.executable, sorted(os.environ.items())]).encode()).hexdigest()
    if key in _PROBE_CACHE:
        return _PROBE_CACHE[key]
    # A child process, as in a replay: the same script, run the same way, and a crash
    # or a hang in it (a broken BLAS, a stuck nvidia-smi) cannot take the run down.
    done = subprocess.run(
        [sys.executable, "-B", PROBE_PATH],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=PROBE_TIMEOUT_S,
        env=dict(os.environ),
    )
    if done.returncode != 0:
        tail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["(no stderr)"]
        raise RuntimeError("exited with %d: %s" % (done.returncode, tail[0][:300]))
    lines = [line for line in done.stdout.decode("utf-8", "replace").splitlines() if line.strip()]
    if not lines:
        raise RuntimeError("printed nothing")
    result = json.loads(lines[-1])
    if not isinstance(result, dict) or "python" not in result:
        raise RuntimeError("printed JSON that is not a fingerprint")
    _PROBE_CACHE[key] = result
    return result


def _is_kernel_launcher(arg):
    # `python -m ipykernel_launcher -f ...` (Jupyter's kernelspec; sys.argv[0] is then the
    # module's path) or the launcher run as a script.
    return arg == "ipykernel_launcher" or arg.endswith("ipykernel_launcher.py")


def _in_notebook_kernel():
    return any(_is_kernel_launcher(a) for a in sys.argv[:1])


def _main_dir():
    """The entry script's folder (as MLflow's git context uses), else the working directory
    (the notebook's folder, under Jupyter, where argv[0] is ipykernel's launcher)."""
    main = sys.argv[0] if sys.argv else ""
    if main and os.path.isfile(main) and not _in_notebook_kernel():
        return os.path.dirname(os.path.abspath(main))
    return os.getcwd()


def _git(args, cwd):
    env = dict(os.environ, GIT_PAGER="cat", GIT_TERMINAL_PROMPT="0", LC_ALL="C")
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    done = subprocess.run(
        ["git"] + args, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=GIT_TIMEOUT_S, env=env
    )
    return done.stdout if done.returncode == 0 else None


# The diff options harness/fingerprint/code.ts pins, so both sides hash a tree alike.
_DIFF_ARGS = [
    "diff",
    "HEAD",
    "--binary",
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "--no-renames",
    "--diff-algorithm=myers",
    "--src-prefix=a/",
    "--dst-prefix=b/",
    "--full-index",
    "--",
    ":/",
]


def _code(rules):
    """Commit, dirty state, diff and remote of the checkout the entry script is in; None outside git."""
    where = _main_dir()
    if shutil.which("git") is None:
        raise RuntimeError("git is not on PATH")
    top = _git(["rev-parse", "--show-toplevel"], where)
    if top is None:
        return None, None, None
    top = top.decode().strip()
    code = {"dirty": None}
    status = _git(["status", "--porcelain=v1", "--untracked-files=normal"], where)
    if status is not None:
        code["dirty"] = len(status.strip()) > 0
    head = _git(["rev-parse", "--verify", "-q", "HEAD"], where)
    diff = None
    if head:
        code["commit"] = head.decode().strip()
        diff = _git(_DIFF_ARGS, where)
        if diff:
            code["diffSha256"] = hashlib.sha256(diff).hexdigest()
            code["diffBytes"] = len(diff)
    branch = _git(["symbolic-ref", "--short", "-q", "HEAD"], where)
    if branch:
        code["branch"] = branch.decode().strip()
    url = _git(["remote", "get-url", "origin"], where)
    if url:
        code["repositoryUrl"] = rules.strip_url_credentials(url.decode().strip())
    return code, diff, top


def _redact_argv(argv, rules):
    """Values of secret-named options (--api-key X, --token=X) and URL credentials removed."""
    out = []
    secret_next = False
    for arg in argv:
        if secret_next:
            out.append(rules.REDACTED)
            secret_next = False
            continue
        if arg.startswith("-") and len(arg) > 1:
            name, eq, _ = arg.lstrip("-").partition("=")
            if rules.is_secret_name(name):
                if eq:
                    out.append(arg.split("=", 1)[0] + "=" + rules.REDACTED)
                else:
                    out.append(arg)
                    secret_next = True
                continue
        out.append(rules.strip_url_credentials(arg))
    return out


def _command(rules):
    """argv as it was typed, the interpreter written `python` (the replay image's), quoted for a shell."""
    argv = list(getattr(sys, "orig_argv", None) or ([sys.executable] + sys.argv))
    # In a kernel the command line is the launcher, not the workload: not recorded.
    if not argv or argv[-1:] == [""] or _in_notebook_kernel() or any(_is_kernel_launcher(a) for a in argv[:3]):
        return None
    argv[0] = "python"
    cwd = os.getcwd()
    main = sys.argv[0] if sys.argv else ""
    # An absolute script path inside the working directory is the same file run from there.
    for i, arg in enumerate(argv):
        if i > 0 and arg == main and os.path.isabs(arg):
            rel = os.path.relpath(arg, cwd)
            if not rel.startswith(".."):
                argv[i] = rel
            break
    return _redact_argv(argv, rules)


def _requirements(fingerprint):
    lines = ["%s==%s" % (d["name"], d["version"]) for d in fingerprint.get("distributions", [])]
    return "".join(line + "\n" for line in sorted(lines))


def _host_tags(fingerprint):
    system = fingerprint.get("system") or {}
    tags = {}
    cpu = system.get("cpu") or {}
    if cpu.get("model"):
        tags[TAGS["hostCpu"]] = "%s (%s cores)" % (cpu["model"], cpu.get("logicalCores"))
    if system.get("memoryBytes"):
        tags[TAGS["hostMemoryBytes"]] = str(system["memoryBytes"])
    osr = system.get("os") or {}
    name = " ".join(v for v in (osr.get("NAME"), osr.get("VERSION_ID")) if v)
    machine = (fingerprint.get("platform") or {}).get("machine", "")
    tags[TAGS["hostOs"]] = "%s / %s %s" % (name or fingerprint.get("platform", {}).get("system", "?"), system.get("kernel", "?"), machine)
    gpus = system.get("gpus") or []
    if gpus:
        tags[TAGS["hostGpus"]] = "; ".join("%s (%s MiB)" % (g.get("model"), g.get("vramMb")) for g in gpus)
    container = system.get("container")
    if container:
        tags[TAGS["hostContainer"]] = " ".join(v for v in (container.get("runtime"), container.get("id")) if v)
    return tags


def _stage(files):
    """Write the artifacts to a temporary folder; the upload hook logs and removes it."""
    staged = tempfile.mkdtemp(prefix="repro-capture-")
    for path, data in files.items():
        target = os.path.join(staged, os.path.basename(path))
        with open(target, "wb") as handle:
            handle.write(data if isinstance(data, bytes) else data.encode("utf-8"))
    return staged


def _upload_pending(client, run):
    capture_id = (getattr(getattr(run, "data", None), "tags", None) or {}).get(CAPTURE_ID_TAG)
    with _PENDING_LOCK:
        staged = _PENDING.pop(capture_id, None) if capture_id else None
    if staged is None:
        return
    try:
        client.log_artifacts(run.info.run_id, staged, ARTIFACT_DIR)
    except Exception as exc:  # the run goes on; the tag says what is missing
        message = "artifacts: could not log %s/: %s" % (ARTIFACT_DIR, exc)
        _warn(message)
        try:
            previous = (run.data.tags or {}).get(TAGS["captureError"])
            client.set_tag(run.info.run_id, TAGS["captureError"], _cap("; ".join(filter(None, [previous, message]))))
        except Exception:
            pass
    finally:
        shutil.rmtree(staged, ignore_errors=True)


def _install_upload_hook():
    """Log the staged files once the run exists.

    MLflow offers no hook after a run is created, so TrackingServiceClient.create_run
    (the call fluent start_run makes right after resolving tags; the same name and
    signature in MLflow 2 and 3) is wrapped once. The wrapper only acts on a run
    whose tags carry a capture id this process staged files for: runs created any
    other way pass through untouched.
    """
    from mlflow.tracking._tracking_service.client import TrackingServiceClient

    original = TrackingServiceClient.create_run
    if getattr(original, "_repro_audit_capture", False):
        return

    @functools.wraps(original)
    def create_run(self, *args, **kwargs):
        run = original(self, *args, **kwargs)
        try:
            _upload_pending(self, run)
        except Exception as exc:
            _warn("artifacts: %s" % exc)
        return run

    create_run._repro_audit_capture = True
    TrackingServiceClient.create_run = create_run


def collect():
    """The tags and files (artifact path -> bytes or text) for the run starting now."""
    tags = {TAGS["captureVersion"]: __version__}
    files = {}
    errors = []
    record = {
        "schemaVersion": 1,
        "captureVersion": __version__,
        "capturedAt": datetime.datetime.now(datetime.timezone.utc).isoformat(),
    }

    try:
        rules = _load_rules()
    except (Exception, SystemExit) as exc:  # a probe that exits at import must not end the run
        rules = None
        errors.append("redaction rules (probe.py): %s" % (exc if str(exc) else type(exc).__name__))

    # Without the redaction rules nothing that could hold a secret is written.
    if rules is not None:
        try:
            argv = _command(rules)
            if argv is not None:
                text = " ".join(shlex.quote(a) for a in argv)
                tags[TAGS["reproCommand"]] = _cap(text)
                record["command"] = {"argv": argv, "text": text}
        except Exception as exc:
            errors.append("command: %s" % exc)
        try:
            code, diff, top = _code(rules)
            if code is not None:
                record["code"] = code
                if code.get("commit"):
                    tags[TAGS["gitCommit"]] = code["commit"]
                if code.get("repositoryUrl"):
                    tags[TAGS["gitRepoUrl"]] = _cap(code["repositoryUrl"])
                if code["dirty"] is not None:
                    tags[TAGS["reproGitDirty"]] = "true" if code["dirty"] else "false"
                rel = os.path.relpath(os.getcwd(), top)
                if not rel.startswith(".."):
                    cwd = rel.replace(os.sep, "/")
                    tags[TAGS["commandCwd"]] = cwd
                    record.setdefault("command", {})["cwd"] = cwd
                if diff and len(diff) > DIFF_CAP_BYTES:
                    # A cut patch does not apply: none is logged, and the tag says why. Its
                    # size and hash stay in the fingerprint, so a replay can tell it differs.
                    errors.append(
                        "git: uncommitted diff of %d bytes is over the %d-byte cap (DIFF_CAP_BYTES), not logged"
                        % (len(diff), DIFF_CAP_BYTES)
                    )
                elif diff:
                    files[ARTIFACTS["diff"]] = diff
        except Exception as exc:
            errors.append("git: %s" % exc)

    try:
        fingerprint = _run_probe()
        record["container"] = fingerprint
        requirements = _requirements(fingerprint)
        files[ARTIFACTS["requirements"]] = requirements
        tags[TAGS["requirementsDigest"]] = "sha256:" + hashlib.sha256(requirements.encode()).hexdigest()
        tags.update({k: _cap(v) for k, v in _host_tags(fingerprint).items()})
    except Exception as exc:
        errors.append("probe: %s" % exc)

    if errors:
        record["errors"] = errors
    files[ARTIFACTS["fingerprint"]] = json.dumps(record, sort_keys=True, indent=1)
    return tags, files, errors


def capture():
    """Tags for the run about to start; its files are staged for the upload hook."""
    tags, files, errors = collect()
    try:
        _install_upload_hook()
        capture_id = uuid.uuid4().hex
        staged = _stage(files)
        with _PENDING_LOCK:
            _PENDING[capture_id] = staged
        tags[CAPTURE_ID_TAG] = capture_id
    except Exception as exc:
        errors.append("artifacts: %s" % exc)
    if errors:
        message = "; ".join(errors)
        tags[TAGS["captureError"]] = _cap(message)
        _warn(message)
    return tags


def _capture_attached_run(run_id):
    """For a run the script attached to (MLFLOW_RUN_ID) rather than started: MLflow asks
    providers for tags only when it creates a run, so this logs the same tags (those the
    run does not have already) and files at exit, onto the run, whatever state it ended in."""
    try:
        from mlflow.entities import RunTag
        from mlflow.tracking import MlflowClient

        tags, files, errors = collect()
        if errors:
            tags[TAGS["captureError"]] = _cap("; ".join(errors))
            _warn("; ".join(errors))
        client = MlflowClient()
        have = client.get_run(run_id).data.tags
        client.log_batch(run_id, tags=[RunTag(k, v) for k, v in sorted(tags.items()) if k not in have])
        staged = _stage(files)
        try:
            client.log_artifacts(run_id, staged, ARTIFACT_DIR)
        finally:
            shutil.rmtree(staged, ignore_errors=True)
    except (Exception, SystemExit) as exc:  # at exit, too, never the user's problem
        _warn("capture of attached run %s: %r" % (run_id, exc))


def _enabled():
    return os.environ.get(DISABLE_ENV, "").strip().lower() not in ("1", "true", "yes")


# Read when MLflow loads the plugin (at `import mlflow`): start_run removes the variable
# from the environment once it has attached to the run.
_ATTACHED_RUN = os.environ.get("MLFLOW_RUN_ID", "").strip()
if _ATTACHED_RUN and _enabled():
    atexit.register(_capture_attached_run, _ATTACHED_RUN)


class ReproCaptureRunContext(RunContextProvider):
    """Registered through the `mlflow.run_context_provider` entry point (pyproject.toml)."""

    def in_context(self):
        return _enabled()

    def tags(self):
        try:
            return capture()
        except (Exception, SystemExit) as exc:  # never the user's problem
            _warn("unexpected failure: %r" % exc)
            return {TAGS["captureVersion"]: __version__, TAGS["captureError"]: _cap("unexpected: %r" % exc)}
