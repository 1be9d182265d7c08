"""requirements.txt, the hashed lock of the production install, is consistent with
pyproject.toml: every base and `server` dependency is pinned there, at a version its
range allows, with hashes; nothing unhashed, nothing of the test or lint tools."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "requirements.txt"


def pinned() -> dict[str, tuple[str, int]]:
    """name → (version, number of hashes) of every requirement in the lock."""
    text = LOCK.read_text(encoding="utf-8")
    found: dict[str, tuple[str, int]] = {}
    # one requirement: `name==version \` then its `--hash=…` lines, then `# via` comments
    for block in re.split(r"\n(?=[^\s#])", text):
        line = block.strip()
        if not line or line.startswith("#"):
            continue
        head = line.split()[0]
        assert "==" in head, f"not pinned with ==: {head!r}"
        name, version = head.split("==", 1)
        found[canonicalize_name(name)] = (version, block.count("--hash=sha256:"))
    return found


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def test_every_base_and_server_dependency_is_pinned_in_range_with_hashes():
    meta = project()
    lock = pinned()
    wanted = [*meta["dependencies"], *meta["optional-dependencies"]["server"]]
    assert len(wanted) > 15
    for text in wanted:
        req = Requirement(text)
        name = canonicalize_name(req.name)
        assert name in lock, f"{req.name} (pyproject.toml) is not in requirements.txt"
        version, hashes = lock[name]
        assert req.specifier.contains(version, prereleases=True), (
            f"requirements.txt pins {req.name}=={version}, outside pyproject's {req.specifier}"
        )
        assert hashes >= 1, f"{req.name} has no hash in requirements.txt"


def test_every_locked_line_has_hashes_and_no_tool_of_the_tests_is_locked():
    lock = pinned()
    assert all(hashes >= 1 for _, hashes in lock.values()), [
        name for name, (_, hashes) in lock.items() if not hashes
    ]
    for extra in ("test", "lint", "mspdi"):
        for text in project()["optional-dependencies"][extra]:
            name = canonicalize_name(Requirement(text).name)
            if name != "townhall":
                assert name not in lock, f"{name} ([{extra}]) does not belong in the lock"
    text = LOCK.read_text(encoding="utf-8")
    assert not re.search(r"^\s*(-e\s|\.|file:|/)", text, re.M), "a local path cannot be hashed"


def test_the_lock_and_python_version_name_the_same_python():
    version = (ROOT / ".python-version").read_text(encoding="utf-8").strip()
    assert re.fullmatch(r"3\.11(\.\d+)?", version), version
    assert "with Python 3.11" in LOCK.read_text(encoding="utf-8")
    assert project()["requires-python"] == ">=3.11"
