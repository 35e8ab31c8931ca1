"""A PEP 517 build backend for the capture plugin, standard library only.

Why not setuptools: the wheel must build offline with whatever Python the project
has (setuptools < 70 cannot make wheels without the separate `wheel` package, and
build isolation would download both). A py3-none-any wheel is a zip of the package
and four metadata files; this writes exactly that, with fixed timestamps, so the same
sources give the same bytes. Building needs Python 3.11+ (tomllib reads
pyproject.toml); the wheel installs on 3.8+.
"""

import base64
import hashlib
import io
import os
import tarfile
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = "repro_audit_capture"
EPOCH = (1980, 1, 1, 0, 0, 0)


def _project():
    try:
        import tomllib
    except ImportError as exc:  # pragma: no cover - 3.8-3.10
        raise RuntimeError("building repro-audit-capture needs Python 3.11+ (tomllib); install the wheel instead") from exc
    with open(os.path.join(ROOT, "pyproject.toml"), "rb") as handle:
        return tomllib.load(handle)["project"]


def _dist_name(project):
    return project["name"].replace("-", "_")


def _metadata(project):
    lines = [
        "Metadata-Version: 2.1",
        "Name: " + project["name"],
        "Version: " + project["version"],
        "Summary: " + project.get("description", ""),
        "License: " + project.get("license", {}).get("text", ""),
        "Requires-Python: " + project.get("requires-python", ""),
    ]
    lines += ["Requires-Dist: " + d for d in project.get("dependencies", [])]
    for extra, deps in sorted(project.get("optional-dependencies", {}).items()):
        lines.append("Provides-Extra: " + extra)
        lines += ['Requires-Dist: %s ; extra == "%s"' % (d, extra) for d in deps]
    lines.append("Description-Content-Type: text/markdown")
    with open(os.path.join(ROOT, project.get("readme", "README.md")), encoding="utf-8") as handle:
        readme = handle.read()
    return "\n".join(lines) + "\n\n" + readme


def _entry_points(project):
    out = []
    for group, entries in sorted(project.get("entry-points", {}).items()):
        out.append("[%s]" % group)
        out += ["%s = %s" % (k, v) for k, v in sorted(entries.items())]
        out.append("")
    return "\n".join(out)


def _package_files():
    base = os.path.join(ROOT, PACKAGE)
    for name in sorted(os.listdir(base)):
        if name.endswith((".py", ".json")):
            with open(os.path.join(base, name), "rb") as handle:
                yield PACKAGE + "/" + name, handle.read()


def _record_line(path, data):
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return "%s,sha256=%s,%d" % (path, digest, len(data))


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    project = _project()
    dist = _dist_name(project)
    info = "%s-%s.dist-info" % (dist, project["version"])
    files = list(_package_files())
    files += [
        (info + "/METADATA", _metadata(project).encode()),
        (info + "/WHEEL", b"Wheel-Version: 1.0\nGenerator: repro_capture_build\nRoot-Is-Purelib: true\nTag: py3-none-any\n"),
        (info + "/entry_points.txt", _entry_points(project).encode()),
    ]
    record = "".join(_record_line(p, d) + "\n" for p, d in files) + info + "/RECORD,,\n"
    files.append((info + "/RECORD", record.encode()))
    name = "%s-%s-py3-none-any.whl" % (dist, project["version"])
    with zipfile.ZipFile(os.path.join(wheel_directory, name), "w", zipfile.ZIP_DEFLATED) as whl:
        for path, data in files:
            entry = zipfile.ZipInfo(path, EPOCH)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            whl.writestr(entry, data)
    return name


def build_sdist(sdist_directory, config_settings=None):
    project = _project()
    base = "%s-%s" % (_dist_name(project), project["version"])
    name = base + ".tar.gz"
    paths = ["pyproject.toml", project.get("readme", "README.md"), "_backend/repro_capture_build.py"]
    paths += [p for p, _ in _package_files()]
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as tar:
        for rel in paths:
            with open(os.path.join(ROOT, rel), "rb") as handle:
                data = handle.read()
            entry = tarfile.TarInfo(base + "/" + rel)
            entry.size = len(data)
            entry.mode = 0o644
            tar.addfile(entry, io.BytesIO(data))
    return name
