"""Install size: a fresh venv holding `pip install .`, and one holding `pip install '.[sim]'`.

    python bench/install_size.py [--python PYTHON]

Both are non-editable installs of this checkout (copied first, so that the build leaves
nothing in the working tree), in a temporary directory removed afterwards. Size is disk
usage as `du -sm` counts it (MiB, hard links once); packages as `pip list` counts them,
pip and artui included.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS_MB = {".": 110, ".[sim]": 200}


def disk_usage_mb(path: Path) -> float:
    """Disk usage of a tree in MiB, like `du -sm`: allocated blocks, hard links counted once."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            st = os.lstat(os.path.join(dirpath, name))
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_blocks * 512
    return total / 2**20


def package_count(venv: Path) -> int:
    out = subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "list", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return len(json.loads(out))


def copy_checkout(dest: Path) -> Path:
    """The files a build reads, without caches or the checkout's own build leftovers."""
    src = dest / "artui-src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(
        ROOT / "artui", src / "artui", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
    )
    return src


def measure(python: str, src: Path, target: str, venv: Path) -> tuple[float, float, int]:
    """(empty venv MiB, installed venv MiB, packages) for `pip install <target>`."""
    subprocess.run([python, "-m", "venv", str(venv)], check=True)
    empty = disk_usage_mb(venv)
    spec = str(src) + target[1:]  # "." -> the copy, ".[sim]" -> "<copy>[sim]"
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", spec],
        check=True,
    )
    return empty, disk_usage_mb(venv), package_count(venv)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--python", default=sys.executable, help="interpreter for the venvs")
    args = parser.parse_args()
    failed = False
    with tempfile.TemporaryDirectory(prefix="artui-size-") as tmp:
        src = copy_checkout(Path(tmp))
        results = []
        for i, target in enumerate(TARGETS_MB):
            print(f"installing {target} into a fresh venv ...", file=sys.stderr, flush=True)
            results.append((target, measure(args.python, src, target, Path(tmp) / f"v{i}")))
    version = subprocess.run(
        [args.python, "-c", "import sys; print(sys.version.split()[0])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    print(f"fresh venvs, Python {version}, non-editable installs of {ROOT}")
    for target, (empty, size, count) in results:
        limit = TARGETS_MB[target]
        verdict = "ok" if size < limit else "OVER"
        failed |= size >= limit
        print(
            f"pip install {target:<7} {size:6.1f} MB in {count:3d} packages"
            f"  (target < {limit} MB: {verdict}; the empty venv is {empty:.1f} MB of it)"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
