"""requirements.txt, the hashed lock of the production install, is consistent with
pyproject.toml: every base and `server` dependency is pinned there, at a version its
range allows, with hashes; nothing unhashed, no local path, nothing of the test or lint
tools (README "Production")."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.txt"


def pinned(text: str) -> dict[str, tuple[str, int]]:
    """name → (version, number of hashes) of every requirement in a lock's text."""
    found: dict[str, tuple[str, int]] = {}
    # one requirement: `name==version \` then its `--hash=…` lines, then `# via` comments
    for block in re.split(r"\n(?=[^\s#])", text):
        line = block.strip()
        if not line or line.startswith("#"):
            continue
        head = line.split()[0]
        name, _, version = head.partition("==")
        found[canonicalize_name(name)] = (version, block.count("--hash=sha256:"))
    return found


def project() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def problems(text: str, meta: dict[str, Any]) -> list[str]:
    """What is wrong with the lock `text` for the project `meta`; empty: nothing."""
    lock = pinned(text)
    found = []
    for name, (version, hashes) in lock.items():
        if not version:
            found.append(f"{name} is not pinned with ==")
        if not hashes:
            found.append(f"{name} has no hash")
    for text_req in [*meta["dependencies"], *meta["optional-dependencies"]["server"]]:
        req = Requirement(text_req)
        name = canonicalize_name(req.name)
        if name not in lock:
            found.append(f"{req.name} (pyproject.toml) is not in the lock")
        elif not req.specifier.contains(lock[name][0], prereleases=True):
            found.append(f"{req.name}=={lock[name][0]} is outside pyproject's {req.specifier}")
    for extra in ("test", "lint", "mspdi"):
        for text_req in meta["optional-dependencies"][extra]:
            name = canonicalize_name(Requirement(text_req).name)
            if name != "townhall" and name in lock:
                found.append(f"{name} ([{extra}]) does not belong in the production lock")
    if re.search(r"^\s*(-e\s|\.|file:|/)", text, re.M):
        found.append("a local path cannot be hashed")
    return found


def test_the_lock_pins_every_base_and_server_dependency_in_range_with_hashes():
    text = LOCK.read_text(encoding="utf-8")
    meta = project()
    assert len(pinned(text)) > len(meta["dependencies"]) + 5  # with what they depend on
    assert problems(text, meta) == []


def test_a_lock_out_of_step_with_pyproject_is_caught():
    text = LOCK.read_text(encoding="utf-8")
    meta = project()
    without_rq = re.sub(r"^rq==.*?(?=^\S)", "", text, flags=re.M | re.S)
    assert "rq (pyproject.toml) is not in the lock" in problems(without_rq, meta)[0]
    old = re.sub(r"^sqlalchemy==[^ ]+", "sqlalchemy==1.4.54", text, flags=re.M)
    [wrong] = problems(old, meta)
    assert wrong.startswith("sqlalchemy==1.4.54 is outside pyproject's")
    unhashed = text + "pytest==8.0.0\n"
    assert {"pytest has no hash", "pytest ([test]) does not belong in the production lock"} <= set(
        problems(unhashed, meta)
    )
    assert "a local path cannot be hashed" in problems(text + "-e .\n", meta)


def test_the_lock_and_python_version_name_the_same_python():
    version = (ROOT / ".python-version").read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"3\.11(\.\d+)?", version), version
    assert "with Python 3.11" in LOCK.read_text(encoding="utf-8")
    assert project()["requires-python"] == ">=3.11"
