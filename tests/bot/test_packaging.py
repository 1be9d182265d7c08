"""The embedded default needs no production package (README "Install"): with gunicorn,
psycopg, redis, rq and prometheus_client made unimportable, the main job and the
SQLite migrations run, and a server command says what to install. LOG_LEVEL, and the
layers of gunicorn settings under `townhall serve`: defaults < gunicorn.conf.py <
GUNICORN_CMD_ARGS < its own options, read by a real gunicorn started on loopback."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot import gunicorn_config
from bot.logs import configure_logging, log_level
from catalog.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
TOWNHALL = str(Path(sys.executable).with_name("townhall"))
SERVER_MODULES = ("gunicorn", "psycopg", "redis", "rq", "prometheus_client")

#: `townhall ARGS…` with the server packages unimportable, as in a base-only install.
WITHOUT_SERVER = f"""
import sys
from importlib.abc import MetaPathFinder

class Absent(MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {SERVER_MODULES!r}:
            raise ModuleNotFoundError(f"No module named {{name!r}}", name=name)
        return None

sys.meta_path.insert(0, Absent())
import importlib.util
_find = importlib.util.find_spec
importlib.util.find_spec = lambda name, *a: (
    None if name.split(".")[0] in {SERVER_MODULES!r} else _find(name, *a)
)
from bot.cli import main
sys.argv = ["townhall", *sys.argv[1:]]
main()
"""


def _base_only(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_SERVER, *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "TOWNHALL_", "GUNICORN_")) and k not in ("LOG_LEVEL",)
    }
    base.pop("DATABASE_URL", None)
    base.pop("REDIS_URL", None)
    return {**base, "PYTHONPATH": str(ROOT), "COLUMNS": "200", "NO_COLOR": "1"}


def test_the_main_job_runs_without_any_server_package(env, tmp_path):
    for args in (["demo"], ["plan", "--time-limit", "3"], ["db", "upgrade"], ["list"]):
        done = _base_only(*args, cwd=tmp_path, env=env)
        assert done.returncode == 0, f"{args}: {done.stderr}"
    assert "SSO" in _base_only("chat", "-c", "list", cwd=tmp_path, env=env).stdout
    planned = _base_only("chat", "-c", "plan", cwd=tmp_path, env=env)  # a job, in-process
    assert planned.returncode == 0 and "Roadmap — Demo portfolio" in planned.stdout, planned.stderr
    done = _base_only("export", "csv", "--out", "r.csv", cwd=tmp_path, env=env)
    assert done.returncode == 0 and (tmp_path / "r.csv").exists(), done.stderr
    assert (tmp_path / "townhall.sqlite3").exists()


@pytest.mark.parametrize("args", [["serve"], ["worker"], ["socket"]])
def test_a_server_command_without_its_packages_names_the_extra(env, tmp_path, args):
    done = _base_only(*args, cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert "pip install 'townhall[server]'" in done.stderr
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) <= 2


def test_postgresql_without_psycopg_names_the_extra(env, tmp_path):
    env = {**env, "DATABASE_URL": "postgresql://postgres@127.0.0.1:9/nowhere"}
    done = _base_only("db", "upgrade", cwd=tmp_path, env=env)
    assert done.returncode == 1
    assert "psycopg is not installed" in done.stderr
    assert "pip install 'townhall[server]'" in done.stderr


def test_log_level_is_read_checked_and_applied():
    assert log_level({}) == logging.INFO
    assert log_level({"LOG_LEVEL": " debug "}) == logging.DEBUG
    assert log_level({"LOG_LEVEL": "warn"}) == logging.WARNING
    with pytest.raises(ValueError, match="LOG_LEVEL must be one of DEBUG, INFO"):
        log_level({"LOG_LEVEL": "loud"})
    root = logging.getLogger()
    before = root.level, list(root.handlers)
    try:
        configure_logging(Settings(), level=logging.ERROR)
        assert root.level == logging.ERROR
    finally:
        for handler in list(root.handlers):
            if handler not in before[1]:
                root.removeHandler(handler)
        root.setLevel(before[0])


def test_a_bad_log_level_stops_a_process_at_start(env, tmp_path):
    done = subprocess.run(
        [TOWNHALL, "serve", "--port", "1"],
        cwd=tmp_path,
        env={**env, "LOG_LEVEL": "chatty"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL" in done.stderr
    assert "Traceback" not in done.stderr


DEFAULTS = {"bind": "127.0.0.1:3000", "workers": 1, "threads": 8, "timeout": 60}


def test_gunicorn_layers_defaults_file_environment_command_line(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    layers = gunicorn_config.Layers(environ={})
    cfg = gunicorn_config.resolve(DEFAULTS, layers)
    assert (cfg.timeout, cfg.workers, cfg.threads, cfg.bind) == (60, 1, 8, ["127.0.0.1:3000"])

    (tmp_path / "gunicorn.conf.py").write_text("timeout = 77\nworkers = 3\nthreads = 4\n")
    cfg = gunicorn_config.resolve(DEFAULTS, layers)
    assert (cfg.timeout, cfg.workers, cfg.threads) == (77, 3, 4)

    environ = {"GUNICORN_CMD_ARGS": "--threads 6 --graceful-timeout 9"}
    layers = gunicorn_config.Layers(environ=environ)
    cfg = gunicorn_config.resolve(DEFAULTS, layers)
    assert (cfg.timeout, cfg.workers, cfg.threads, cfg.graceful_timeout) == (77, 3, 6, 9)

    layers = gunicorn_config.Layers(environ=environ, explicit={"threads": 2, "bind": ["[::1]:5"]})
    cfg = gunicorn_config.resolve(DEFAULTS, layers)
    assert (cfg.threads, cfg.bind, cfg.timeout) == (2, ["[::1]:5"], 77)

    other = tmp_path / "other.py"
    other.write_text("timeout = 5\n")
    cfg = gunicorn_config.resolve(DEFAULTS, gunicorn_config.Layers(config=str(other), environ={}))
    assert (cfg.timeout, cfg.workers) == (5, 1)  # --config instead of gunicorn.conf.py


@pytest.mark.parametrize(
    ("config", "environ", "message"),
    [
        ("missing.py", {}, "missing.py does not exist"),
        (None, {"GUNICORN_CMD_ARGS": "--no-such-flag"}, "unknown gunicorn option"),
        (None, {"GUNICORN_CMD_ARGS": "--workers many"}, "GUNICORN_CMD_ARGS"),
        (None, {"GUNICORN_CMD_ARGS": "myapp:app"}, "names an application"),
    ],
)
def test_a_gunicorn_setting_that_cannot_be_used_is_named(
    tmp_path, monkeypatch, config, environ, message
):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(gunicorn_config.GunicornConfigError, match=message):
        gunicorn_config.resolve(DEFAULTS, gunicorn_config.Layers(config=config, environ=environ))


def test_serve_applies_gunicorn_conf_and_gunicorn_cmd_args_under_its_own_options(env, tmp_path):
    from tests.bot.fakeslack import FakeSlack
    from tests.cluster import free_port

    seen = tmp_path / "seen.json"
    (tmp_path / "gunicorn.conf.py").write_text(
        "import json\n"
        "timeout = 77\n"
        "threads = 4\n"
        "def when_ready(server):\n"
        "    c = server.cfg\n"
        f"    open({str(seen)!r}, 'w').write(json.dumps({{'timeout': c.timeout, "
        "'threads': c.threads, 'graceful': c.graceful_timeout, 'workers': c.workers, "
        "'bind': c.bind, 'loglevel': c.loglevel, 'worker_class': c.worker_class_str}))\n"
    )
    port = free_port()
    with FakeSlack() as fake:
        run_env = {
            **env,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite3'}",
            "SLACK_SIGNING_SECRET": "test-signing-secret",
            "SLACK_BOT_TOKEN": fake.workspace.bot_token,
            "SLACK_API_URL": fake.url,
            "GUNICORN_CMD_ARGS": "--graceful-timeout 9 --threads 6",
            "LOG_LEVEL": "warning",
        }
        process = subprocess.Popen(
            [TOWNHALL, "serve", "--port", str(port), "--threads", "3"],
            cwd=tmp_path,
            env=run_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while not seen.exists() and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.1)
            assert seen.exists(), process.stdout.read().decode() if process.poll() else "timeout"
        finally:
            process.terminate()
            process.wait(timeout=30)
    got = json.loads(seen.read_text())
    assert got == {
        "timeout": 77,  # gunicorn.conf.py over townhall's 60
        "threads": 3,  # the command line over GUNICORN_CMD_ARGS' 6 over the file's 4
        "graceful": 9,  # GUNICORN_CMD_ARGS over townhall's 20
        "workers": 1,  # townhall's default: nobody said otherwise
        "bind": [f"127.0.0.1:{port}"],
        "loglevel": "warning",  # LOG_LEVEL
        "worker_class": "gthread",
    }
