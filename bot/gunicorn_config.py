"""How `townhall serve` configures gunicorn, in layers, each over the one before:

1. townhall's defaults (`bot.server.serve`: bind, workers, threads, the gthread worker,
   JSON logs, timeouts; the log level of LOG_LEVEL);
2. a gunicorn configuration file: `townhall serve --config PATH`, else the `--config` of
   GUNICORN_CMD_ARGS, else `gunicorn.conf.py` in the working directory, as gunicorn
   itself finds it;
3. GUNICORN_CMD_ARGS (gunicorn's own command-line options, e.g. `--timeout 120`);
4. the options given on `townhall serve`'s command line (`--host`/`--port`, `--workers`,
   `--threads`).

So a platform's usual ways of tuning gunicorn work, and what a developer types wins.
`serve` resolves the layers once before starting (`resolve`: a bad file or argument
stops it with one message, and it learns how many workers there will be) and hands them
to the gunicorn application (`use`), whose `load_config` applies them (`apply`).
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gunicorn.config import Config, get_default_config_file

ENV = "GUNICORN_CMD_ARGS"


class GunicornConfigError(Exception):
    """A gunicorn configuration file or GUNICORN_CMD_ARGS that cannot be used (the
    message names which, and why)."""


@dataclass(frozen=True)
class Layers:
    """What `townhall serve` was given besides its defaults: `config` (`--config`),
    `defaults` added to those of `bot.server.serve`, and the settings the command line
    stated explicitly (`explicit`, by gunicorn setting name)."""

    config: str | None = None
    defaults: Mapping[str, Any] = field(default_factory=dict)
    explicit: Mapping[str, Any] = field(default_factory=dict)
    environ: Mapping[str, str] = field(default_factory=lambda: os.environ)


_layers = Layers()


def use(layers: Layers) -> None:
    """The layers the gunicorn application of this process applies (`current`)."""
    global _layers
    _layers = layers


def current() -> Layers:
    return _layers


def resolve(defaults: Mapping[str, Any], layers: Layers) -> Config:
    """gunicorn's configuration from townhall's `defaults` and the `layers`, without
    starting anything. Raises GunicornConfigError."""
    cfg = Config()
    apply(cfg, defaults, layers)
    return cfg


def apply(cfg: Config, defaults: Mapping[str, Any], layers: Layers | None = None) -> None:
    """Set `cfg` from the layers, lowest first (the module's docstring). Raises
    GunicornConfigError naming the file, variable or setting at fault."""
    layers = current() if layers is None else layers
    for name, value in {**defaults, **layers.defaults}.items():
        cfg.set(name, value)
    from_env = _env_arguments(cfg, layers.environ)
    env_config = from_env.pop("config", None)
    location = layers.config or env_config or get_default_config_file()
    if location:
        for name, value in _file_settings(location, cfg).items():
            _set(cfg, name, value, f"the gunicorn configuration {location}")
    for name, value in from_env.items():
        _set(cfg, name, value, ENV)
    for name, value in layers.explicit.items():
        cfg.set(name, value)


def _set(cfg: Config, name: str, value: Any, where: str) -> None:
    try:
        cfg.set(name, value)
    except (TypeError, ValueError) as exc:
        raise GunicornConfigError(f"{where}: {name} = {value!r}: {exc}") from None


def _env_arguments(cfg: Config, environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings GUNICORN_CMD_ARGS states (gunicorn's options, parsed by its parser)."""
    text = environ.get(ENV, "")
    if not text.strip():
        return {}
    try:
        words = shlex.split(text)
    except ValueError as exc:
        raise GunicornConfigError(f"{ENV} cannot be split into arguments: {exc}") from None
    parser = cfg.parser()
    parser.exit_on_error = False
    try:
        parsed, unknown = parser.parse_known_args(words)
    except Exception as exc:  # argparse.ArgumentError, or its SystemExit on a bad value
        raise GunicornConfigError(f"{ENV}={text!r}: {exc}") from None
    except SystemExit:
        raise GunicornConfigError(f"{ENV}={text!r}: not gunicorn's options") from None
    if unknown:
        raise GunicornConfigError(f"{ENV}: unknown gunicorn option(s) {' '.join(unknown)}")
    settings = {k: v for k, v in vars(parsed).items() if v is not None and k != "args"}
    if parsed.args:
        raise GunicornConfigError(
            f"{ENV}: names an application ({' '.join(parsed.args)}); `townhall serve` serves "
            "its own: leave it out"
        )
    return settings


def _file_settings(location: str, cfg: Config) -> dict[str, Any]:
    """The gunicorn settings a configuration file (a Python file, or `python:MODULE`)
    assigns; names that are not gunicorn settings are ignored, as gunicorn does."""
    try:
        if location.startswith("python:"):
            values = vars(importlib.import_module(location.removeprefix("python:")))
        else:
            path = location.removeprefix("file:")
            if not os.path.isfile(path):
                raise GunicornConfigError(f"the gunicorn configuration {path} does not exist")
            spec = importlib.util.spec_from_file_location("__config__", path)
            if spec is None or spec.loader is None:
                raise GunicornConfigError(f"the gunicorn configuration {path} is not Python")
            module = importlib.util.module_from_spec(spec)
            sys.modules["__config__"] = module  # as gunicorn does: hooks may import it
            spec.loader.exec_module(module)
            values = vars(module)
    except GunicornConfigError:
        raise
    except Exception as exc:
        raise GunicornConfigError(
            f"cannot read the gunicorn configuration {location}: {type(exc).__name__}: {exc}"
        ) from None
    return {k: v for k, v in values.items() if k in cfg.settings}
