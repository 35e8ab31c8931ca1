"""Environment fingerprint probe for repro-audit: one implementation for both sides.

Runs inside the replay image (or on the host for the local executor), and at
training time under the capture plugin (repro_audit_capture.provider), and prints
ONE JSON object describing the Python environment a workload would see, and the
machine it sees (``system``: CPU, memory, OS, GPUs, container). It must
work on a bare Debian python3 (stdlib only, Python 3.8+ syntax) and must never fail
because an optional module (threadpoolctl, numpy, scipy) is missing.

Secret-looking environment values are redacted HERE, so they never leave the
container; the TypeScript side re-checks with the same rules (harness/fingerprint/redact.ts).
Keep the two rule sets identical: a unit test compares them.
"""

import json
import os
import platform
import re
import sys

REDACTED = "<redacted>"

# Substrings that make an environment variable NAME secret-looking (case-insensitive).
# Over-redaction is harmless (GIT_AUTHOR_NAME loses its value); under-redaction leaks.
SECRET_NAME_SUBSTRINGS = (
    "TOKEN",
    "SECRET",
    "PASSWORD",
    "PASSWD",
    "PASSPHRASE",
    "KEY",
    "CREDENTIAL",
    "AUTH",
    "COOKIE",
    "SESSION",
    "PRIVATE",
    "SIGNATURE",
    "SALT",
    "DSN",
    "CONNECTION_STRING",
    "CONNSTR",
    "CERT",
)
# Short markers that only count as a whole underscore-separated word, so that
# PATH or PWD keep their values while GH_PAT or DB_PASS do not.
SECRET_NAME_WORDS = ("PAT", "PASS", "PW", "JWT", "OTP", "PIN")
# PWD/OLDPWD are working directories, not passwords.
NOT_SECRET_NAMES = ("PWD", "OLDPWD")

# Knobs that change how many threads BLAS/OpenMP use or which code paths they take;
# both can change floating-point results.
THREAD_ENV_NAMES = (
    "OMP_NUM_THREADS",
    "OMP_DYNAMIC",
    "OMP_PROC_BIND",
    "OMP_PLACES",
    "OMP_THREAD_LIMIT",
    "MKL_NUM_THREADS",
    "MKL_DYNAMIC",
    "MKL_CBWR",
    "MKL_ENABLE_INSTRUCTIONS",
    "MKL_THREADING_LAYER",
    "OPENBLAS_NUM_THREADS",
    "OPENBLAS_CORETYPE",
    "OPENBLAS_VERBOSE",
    "GOTO_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
    "NUMEXPR_MAX_THREADS",
    "KMP_AFFINITY",
    "KMP_BLOCKTIME",
    "NPY_DISABLE_CPU_FEATURES",
    "TF_NUM_INTRAOP_THREADS",
    "TF_NUM_INTEROP_THREADS",
    "TF_DETERMINISTIC_OPS",
    "CUBLAS_WORKSPACE_CONFIG",
    "CUDA_VISIBLE_DEVICES",
)

_WORD_SPLIT = re.compile(r"[^A-Z0-9]+")
# scheme://userinfo@rest  -> userinfo is dropped (it holds tokens/passwords).
_URL_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^/?#@\s]*)@")
_QUERY_PARAM = re.compile(r"(?P<sep>[?&;])(?P<name>[^=&;#\s]+)=(?P<value>[^&;#\s]*)")


def is_secret_name(name):
    upper = name.upper()
    if upper in NOT_SECRET_NAMES:
        return False
    for marker in SECRET_NAME_SUBSTRINGS:
        if marker in upper:
            return True
    words = [w for w in _WORD_SPLIT.split(upper) if w]
    for marker in SECRET_NAME_WORDS:
        if marker in words:
            return True
    return False


def strip_url_credentials(value):
    """Drop user:password@ from every URL in value and redact secret-named query params."""

    def drop_userinfo(match):
        scheme = match.group("scheme")
        userinfo = match.group("userinfo")
        # An ssh login name is an account, not a secret; anything with a password,
        # and any userinfo on other schemes (https://<token>@host), is removed.
        if scheme.lower().startswith(("ssh:", "git+ssh:", "ssh+git:")) and ":" not in userinfo:
            return match.group(0)
        return scheme

    def redact_param(match):
        if is_secret_name(match.group("name")):
            return match.group("sep") + match.group("name") + "=" + REDACTED
        return match.group(0)

    stripped = _URL_USERINFO.sub(drop_userinfo, value)
    if "://" in stripped:
        stripped = _QUERY_PARAM.sub(redact_param, stripped)
    return stripped


def redact_env(environ):
    out = {}
    for name in sorted(environ):
        value = environ[name]
        out[name] = REDACTED if is_secret_name(name) else strip_url_credentials(value)
    return out


def _normalise_dist_name(name):
    return re.sub(r"[-_.]+", "-", name).lower()


def _distributions():
    metadata = None
    try:
        import importlib.metadata as metadata  # noqa: F811 (3.8+)
    except ImportError:
        try:
            import importlib_metadata as metadata  # type: ignore
        except ImportError:
            metadata = None
    found = {}
    if metadata is not None:
        # The first entry on sys.path wins, as it does for import.
        for dist in metadata.distributions():
            try:
                name = dist.metadata["Name"]
                version = dist.version
            except Exception:
                continue
            if not name:
                continue
            key = _normalise_dist_name(name)
            if key not in found:
                found[key] = str(version)
    return [{"name": k, "version": found[k]} for k in sorted(found)]


def _module_available(name):
    try:
        import importlib.util

        return importlib.util.find_spec(name) is not None
    except Exception:
        return False


def _load_blas_users():
    """threadpoolctl only sees libraries already loaded, so import their usual owners."""
    loaded = []
    for module in ("numpy", "scipy.linalg"):
        top = module.split(".")[0]
        if not _module_available(top):
            continue
        try:
            __import__(module)
            loaded.append(module)
        except Exception:
            pass
    return loaded


def _blas():
    if not _module_available("threadpoolctl"):
        return []
    try:
        from threadpoolctl import threadpool_info

        infos = threadpool_info()
    except Exception:
        return []
    out = []
    for info in infos:
        entry = {
            "internal_api": str(info.get("internal_api", "")),
            "prefix": str(info.get("prefix", "")),
            "num_threads": int(info.get("num_threads", 0) or 0),
        }
        for key in ("filepath", "version", "threading_layer", "architecture", "user_api"):
            value = info.get(key)
            if value is not None:
                entry[key] = str(value)
        out.append(entry)
    out.sort(key=lambda e: (e["internal_api"], e["prefix"], e.get("filepath", "")))
    return out


def _numpy():
    if "numpy" not in sys.modules:
        return None
    np = sys.modules["numpy"]
    config = None
    try:
        # numpy >= 1.26 returns a dict; older versions only print, so skip them.
        config = np.show_config(mode="dicts")
        config = json.loads(json.dumps(config, default=str))
        if not isinstance(config, dict):
            config = None
    except Exception:
        config = None
    return {"version": str(getattr(np, "__version__", "")), "config": config}


def _visible_cpus():
    try:
        return sorted(os.sched_getaffinity(0))
    except Exception:
        return None


def _read_first_line(path):
    try:
        with open(path) as handle:
            return handle.readline().strip()
    except Exception:
        return None


def _cgroup():
    """CPU quota (docker --cpus) and memory limit, which os.cpu_count() does not show."""
    cpu_quota = None
    memory_limit = None
    cpu_max = _read_first_line("/sys/fs/cgroup/cpu.max")  # cgroup v2
    if cpu_max:
        parts = cpu_max.split()
        if len(parts) == 2 and parts[0] != "max":
            try:
                cpu_quota = int(parts[0]) / int(parts[1])
            except (ValueError, ZeroDivisionError):
                pass
    else:
        quota = _read_first_line("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")  # cgroup v1
        period = _read_first_line("/sys/fs/cgroup/cpu/cpu.cfs_period_us")
        try:
            if quota and period and int(quota) > 0:
                cpu_quota = int(quota) / int(period)
        except (ValueError, ZeroDivisionError):
            pass
    mem = _read_first_line("/sys/fs/cgroup/memory.max") or _read_first_line(
        "/sys/fs/cgroup/memory/memory.limit_in_bytes"
    )
    if mem and mem != "max":
        try:
            value = int(mem)
            # cgroup v1 reports "unlimited" as a huge page-aligned number.
            if value < (1 << 62):
                memory_limit = value
        except ValueError:
            pass
    return {"cpuQuota": cpu_quota, "memoryLimitBytes": memory_limit}


def _locale():
    import locale

    try:
        language, encoding = locale.getlocale()
    except Exception:
        language, encoding = None, None
    try:
        preferred = locale.getpreferredencoding(False)
    except Exception:
        preferred = None
    return {
        "language": language,
        "encoding": encoding,
        "preferredEncoding": preferred,
        "filesystemEncoding": sys.getfilesystemencoding(),
        "LANG": os.environ.get("LANG"),
        "LC_ALL": os.environ.get("LC_ALL"),
    }


def _timezone():
    import time

    return {
        "TZ": os.environ.get("TZ"),
        "tzname": [str(n) for n in time.tzname],
        "utcOffsetSeconds": -time.timezone,
    }


def _libc():
    try:
        lib, version = platform.libc_ver()
        if lib:
            return lib + " " + version if version else lib
    except Exception:
        pass
    return None


def _cpu():
    """CPU model, vendor, flags and cores as /proc/cpuinfo tells them (None elsewhere)."""
    model = vendor = None
    flags = None
    logical = 0
    cores = set()
    physical_id = ""
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                key, _, value = line.partition(":")
                key = key.strip()
                value = value.strip()
                if key == "processor":
                    logical += 1
                elif key == "model name" and model is None:
                    model = value
                elif key == "vendor_id" and vendor is None:
                    vendor = value
                elif key in ("flags", "Features") and flags is None:
                    flags = sorted(set(value.lower().split()))
                elif key == "physical id":
                    physical_id = value
                elif key == "core id":
                    cores.add((physical_id, value))
    except Exception:
        pass
    if model is None:
        model = platform.processor() or None
    return {
        "model": model,
        "vendor": vendor,
        "logicalCores": logical or os.cpu_count(),
        "physicalCores": len(cores) or None,
        "flags": flags or [],
    }


def _memory_bytes():
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except Exception:
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except Exception:
        return None


def _os_release():
    out = {}
    for path in ("/etc/os-release", "/usr/lib/os-release"):
        try:
            with open(path) as handle:
                for line in handle:
                    key, sep, value = line.strip().partition("=")
                    if sep and key in ("NAME", "VERSION_ID", "PRETTY_NAME", "ID"):
                        out[key] = value.strip().strip('"')
            break
        except Exception:
            continue
    return out


def _gpus():
    """NVIDIA GPUs through nvidia-smi when it is on PATH; [] when none can be seen."""
    import shutil
    import subprocess

    if shutil.which("nvidia-smi") is None:
        return []
    try:
        text = subprocess.run(
            ["nvidia-smi", "--query-gpu=name,memory.total,driver_version", "--format=csv,noheader,nounits"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            timeout=10,
            check=True,
            universal_newlines=True,
        ).stdout
    except Exception:
        return []
    out = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.split(",")]
        if len(parts) < 3 or not parts[0]:
            continue
        gpu = {"vendor": "NVIDIA", "model": parts[0], "driver": parts[2]}
        try:
            gpu["vramMb"] = float(parts[1])
        except ValueError:
            pass
        out.append(gpu)
    return out


_CONTAINER_ID = re.compile(r"(?:docker|containerd|cri-containerd|libpod)[-/]([0-9a-f]{64})")


def _container():
    """Whether this runs in a container, and its ID where the mounts or cgroups show it.
    The image ID is not visible from inside a container; the harness records it on replays."""
    marker = None
    if os.path.exists("/.dockerenv"):
        marker = "docker"
    elif os.path.exists("/run/.containerenv"):
        marker = "podman"
    found = None
    for path in ("/proc/self/mountinfo", "/proc/self/cgroup"):
        try:
            with open(path) as handle:
                match = _CONTAINER_ID.search(handle.read())
        except Exception:
            match = None
        if match:
            found = match.group(1)
            break
    if marker is None and found is None:
        return None
    return {"runtime": marker, "id": found}


def _system():
    return {
        "cpu": _cpu(),
        "memoryBytes": _memory_bytes(),
        "os": _os_release(),
        "kernel": platform.release(),
        "gpus": _gpus(),
        "container": _container(),
    }


def main():
    environ = dict(os.environ)
    distributions = _distributions()
    blas_imports = _load_blas_users()
    result = {
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "build": " ".join(platform.python_build()),
            "compiler": platform.python_compiler(),
            "executable": sys.executable,
        },
        "distributions": distributions,
        "blas": _blas(),
        "blasProbeImports": blas_imports,
        "numpy": _numpy(),
        "visibleCpus": _visible_cpus(),
        "cpuCount": os.cpu_count(),
        "cgroup": _cgroup(),
        "locale": _locale(),
        "timezone": _timezone(),
        "pythonHashSeed": environ.get("PYTHONHASHSEED"),
        "threadEnv": {name: environ.get(name) for name in THREAD_ENV_NAMES},
        "envNames": sorted(environ),
        "env": redact_env(environ),
        "platform": {
            "system": platform.system(),
            "release": platform.release(),
            "machine": platform.machine(),
            "libc": _libc(),
        },
        "system": _system(),
    }
    # Thread knobs are not secret-named, but run them through the same redaction so
    # a URL with credentials cannot slip out through this copy either.
    result["threadEnv"] = {
        k: (None if v is None else result["env"].get(k, REDACTED)) for k, v in result["threadEnv"].items()
    }
    if result["pythonHashSeed"] is not None:
        result["pythonHashSeed"] = result["env"].get("PYTHONHASHSEED", REDACTED)
    sys.stdout.write(json.dumps(result, sort_keys=True))
    sys.stdout.write("\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
