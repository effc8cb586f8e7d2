"""A pytest plugin of `.ci/run`: the run fails when the tests read a file under READ_FENCE_ROOT
(the folder that holds the CI checkout, its neighbours such as shared/ included), except in the
Python environment running them and under READ_FENCE_ALLOW (paths separated by os.pathsep);
the project's editable install, which points at the checkout, is switched off.

    READ_FENCE_ROOT=.. python -m pytest -p read_fence ...   (with .ci on PYTHONPATH)

Python's audit hook sees every file the test process opens or lists; what it read is printed
at the end, and the run's exit status is a failure.
"""

from __future__ import annotations

import os
import sys

import pytest

_ROOT = os.path.realpath(os.environ.get("READ_FENCE_ROOT") or os.devnull)
_ALLOWED = [
    os.path.realpath(path)
    for path in (sys.prefix, *os.environ.get("READ_FENCE_ALLOW", "").split(os.pathsep))
    if path
]
_READ: set[str] = set()


def _inside(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def _audit(event: str, args: tuple) -> None:
    if event not in ("open", "os.listdir", "os.scandir") or not args:
        return
    target = args[0]
    if target is None or isinstance(target, int):
        return
    try:
        path = os.path.realpath(os.fsdecode(target))
    except (TypeError, ValueError, OSError):
        return
    if _inside(path, _ROOT) and not any(_inside(path, allowed) for allowed in _ALLOWED):
        _READ.add(path)


def _editable(finder) -> bool:
    return str(getattr(finder, "__module__", "")).startswith("__editable__")


# On import: `-p read_fence` loads this before the conftests import anything. The virtualenv's
# editable install of the project maps its packages to the checkout, where a module the copy
# lacks would be found (setuptools' finder looks there for any submodule the copy does not
# have): off, so that the copy runs its own code only.
if os.environ.get("READ_FENCE_ROOT"):
    sys.meta_path[:] = [finder for finder in sys.meta_path if not _editable(finder)]
    sys.path_hooks[:] = [hook for hook in sys.path_hooks if not _editable(hook)]
    sys.path[:] = [entry for entry in sys.path if not entry.startswith("__editable__")]
    sys.path_importer_cache.clear()
    sys.addaudithook(_audit)


def pytest_configure(config):
    if not os.environ.get("READ_FENCE_ROOT"):
        raise pytest.UsageError("read_fence: set READ_FENCE_ROOT to the folder to fence off")


def pytest_sessionfinish(session):
    if _READ:
        print(f"\nread_fence: the tests read outside the repository ({_ROOT}):", file=sys.stderr)
        for path in sorted(_READ)[:50]:
            print(f"  {path}", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
