"""A portfolio file's bytes or text as plain data (mappings, lists, scalars), safely.

Whatever a file holds, reading it is bounded in time, memory and message size, and
every refusal is a `PortfolioError` naming what is wrong and where:

- at most `MAX_FILE_BYTES`; UTF-8 only (the byte offset and line of the first byte
  that is not);
- YAML aliases (`*name`) may repeat at most `MAX_ALIAS_VALUES` values in all, and never
  a value that contains its own alias (an "anchor bomb" or a loop);
- at most `MAX_DEPTH` levels of nesting (a portfolio needs five);
- a key repeated in the same mapping is refused with the key and both lines (YAML keeps
  the last silently);
- impossible dates (`2027-13-01`) stay text, for the reader to say what is wrong with
  them; numbers too long to convert stay their number of digits (`HugeNumber`), which
  the reader refuses as too large.
"""

from __future__ import annotations

import codecs
import json
import json.decoder
import json.scanner
import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import AliasEvent, CollectionStartEvent, NodeEvent
from yaml.nodes import MappingNode, Node, ScalarNode

from planner.errors import PortfolioError
from planner.portfolio.values import HugeNumber, quote

#: Largest portfolio file (a portfolio of 2,000 initiatives takes about 500 kB).
MAX_FILE_BYTES = 2 * 1024 * 1024
#: Deepest nesting of lists and mappings.
MAX_DEPTH = 32
#: Most values that YAML aliases may add to a file by repeating anchored ones.
MAX_ALIAS_VALUES = 10_000
#: Longest number (in digits) read as a number; a longer one is a HugeNumber.
_MOST_DIGITS = 40
#: The tag of YAML merge keys (`<<: *base`).
_MERGE = "tag:yaml.org,2002:merge"
#: Most characters of a parser's own message shown.
_MOST_MESSAGE = 300


def decode(raw: bytes, *, source: str, size: int | None = None) -> str:
    """The text of a file's bytes (`size`: the whole file's, when only its start was read);
    refuses one too large or not UTF-8."""
    if len(raw) > MAX_FILE_BYTES:
        raise PortfolioError(
            [
                f"{source}: {size or len(raw):,} bytes is larger than a portfolio file may be "
                f"({MAX_FILE_BYTES:,} bytes)"
            ]
        )
    skip = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return raw[skip:].decode("utf-8")
    except UnicodeDecodeError as exc:
        at = skip + exc.start
        line = raw.count(b"\n", 0, at) + 1
        raise PortfolioError(
            [
                f"{source} is not UTF-8: the byte 0x{raw[at]:02X} at offset {at:,} "
                f"(line {line}) is not valid UTF-8; save the file as UTF-8"
            ]
        ) from None


def load_data(text: str, *, fmt: str, source: str) -> Any:
    """The data of a YAML or JSON text; raises PortfolioError."""
    if len(text) > MAX_FILE_BYTES:
        raise PortfolioError(
            [
                f"{source}: {len(text):,} characters is larger than a portfolio file may be "
                f"({MAX_FILE_BYTES:,} bytes)"
            ]
        )
    if fmt == "json":
        return _load_json(text, source)
    return _load_yaml(text, source)


class _Refused(Exception):
    """A reason to refuse the file, raised from inside the parsers."""


# --------------------------------------------------------------------------- YAML


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader, bounded: depth, alias expansion, repeated keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._values = 0  # values composed, counting what aliases repeat
        self._alias_values = 0
        self._sizes: dict[str, int] = {}  # anchor → values it stands for
        self._open: set[str] = set()  # anchors whose value is being composed

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            anchor = event.anchor
            if anchor in self._open:
                raise _Refused(
                    f"line {event.start_mark.line + 1}: the alias *{anchor[:40]} is inside "
                    "the value it names (a loop)"
                )
            node = super().compose_node(parent, index)
            size = self._sizes.get(anchor, 1)
            self._alias_values += size
            self._values += size
            if self._alias_values > MAX_ALIAS_VALUES:
                raise _Refused(
                    f"line {event.start_mark.line + 1}: YAML aliases (*name) repeat more than "
                    f"{MAX_ALIAS_VALUES:,} values; write the values out instead"
                )
            return node
        anchor = event.anchor if isinstance(event, NodeEvent) else None
        nested = isinstance(event, CollectionStartEvent)
        if nested:
            self._depth += 1
            if self._depth > MAX_DEPTH:
                raise _Refused(
                    f"line {event.start_mark.line + 1}: lists and mappings are nested more "
                    f"than {MAX_DEPTH} levels deep"
                )
        if anchor is not None:
            self._open.add(anchor)
        before = self._values
        self._values += 1
        node = super().compose_node(parent, index)
        if anchor is not None:
            self._open.discard(anchor)
            self._sizes[anchor] = self._values - before
        if nested:
            self._depth -= 1
        return node

    def construct_mapping(self, node: Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, MappingNode):
            seen: dict[Any, int] = {}
            for key_node, _ in node.value:
                if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE:
                    continue  # merge keys (`<<: *base`) may override what they merge
                key = self.construct_object(key_node)
                try:
                    first = seen.get(key)
                except TypeError:
                    continue  # unhashable: the constructor says so
                line = key_node.start_mark.line + 1
                if first is not None:
                    raise _Refused(
                        f"line {line}: the key {quote(str(key), 40)} is repeated in the same "
                        f"mapping (first on line {first}); keep one"
                    )
                seen[key] = line
        return super().construct_mapping(node, deep=deep)  # type: ignore[arg-type]

    def construct_yaml_timestamp(self, node: ScalarNode) -> Any:  # type: ignore[override]
        """A date; one that cannot exist (2027-02-30) stays text for the reader."""
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, AttributeError, TypeError, OverflowError):
            return self.construct_scalar(node)

    def construct_yaml_int(self, node: ScalarNode) -> Any:  # type: ignore[override]
        """An integer; one too long to convert is a HugeNumber (the reader says it is too
        large), a malformed one (`!!int x`) stays text."""
        value = str(self.construct_scalar(node))
        digits = len(re.sub(r"[^0-9]", "", value))
        if digits > _MOST_DIGITS:
            return HugeNumber(digits, value.lstrip().startswith("-"))
        try:
            return super().construct_yaml_int(node)
        except (ValueError, TypeError, IndexError):
            return value

    def construct_yaml_float(self, node: ScalarNode) -> Any:  # type: ignore[override]
        try:
            return super().construct_yaml_float(node)
        except (ValueError, TypeError, IndexError):
            return self.construct_scalar(node)

    def construct_yaml_bool(self, node: ScalarNode) -> Any:  # type: ignore[override]
        try:
            return super().construct_yaml_bool(node)
        except (KeyError, AttributeError):
            return self.construct_scalar(node)


for _tag, _method in (
    ("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp),
    ("tag:yaml.org,2002:int", _Loader.construct_yaml_int),
    ("tag:yaml.org,2002:float", _Loader.construct_yaml_float),
    ("tag:yaml.org,2002:bool", _Loader.construct_yaml_bool),
):
    _Loader.add_constructor(_tag, _method)
del _tag, _method
assert _Loader.yaml_constructors is not SafeConstructor.yaml_constructors


def _load_yaml(text: str, source: str) -> Any:
    loader = None
    try:
        loader = _Loader(text)  # its reader refuses some characters at once
        return loader.get_single_data()
    except _Refused as exc:
        raise PortfolioError([f"{source}: {exc}"]) from None
    except yaml.YAMLError as exc:
        raise PortfolioError([f"{source} is not valid YAML: {_bounded(exc)}"]) from None
    except (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError) as exc:
        # PyYAML's constructors raise these for some explicit tags (`!!binary 1`).
        raise PortfolioError([f"{source} is not valid YAML: {_bounded(exc)}"]) from None
    finally:
        if loader is not None:
            loader.dispose()


# --------------------------------------------------------------------------- JSON


class _Decoder(json.JSONDecoder):
    """The standard decoder with its pure-Python scanner, which lets objects be seen as
    they are read: a repeated key is refused with the line its object starts on."""

    def __init__(self, text: str) -> None:
        super().__init__(object_pairs_hook=self._pairs, parse_int=_json_int)
        self.text = text
        self.starts: list[int] = []
        self.parse_object = self._object
        self.scan_once = json.scanner.py_make_scanner(self)

    def _object(self, s_and_end: tuple[str, int], *args: Any, **kwargs: Any) -> Any:
        self.starts.append(s_and_end[1])
        try:
            return json.decoder.JSONObject(s_and_end, *args, **kwargs)
        finally:
            self.starts.pop()

    def _pairs(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in pairs:
            if key in out:
                start = self.starts[-1] if self.starts else 0
                line = self.text.count("\n", 0, start) + 1
                raise _Refused(
                    f"the key {quote(key, 40)} is repeated in the object that starts on line "
                    f"{line}; keep one"
                )
            out[key] = value
        return out


def _json_int(text: str) -> int | HugeNumber:
    digits = len(text.lstrip("-"))
    if digits > _MOST_DIGITS:
        return HugeNumber(digits, text.startswith("-"))
    return int(text)


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def _json_depth(text: str) -> int | None:
    """The line where nesting first goes deeper than MAX_DEPTH, or None."""
    bare = _JSON_STRING.sub(lambda m: "" if "\n" not in m[0] else "\n" * m[0].count("\n"), text)
    depth = 0
    for m in re.finditer(r"[\[\]{}]", bare):
        depth += 1 if m[0] in "[{" else -1
        if depth > MAX_DEPTH:
            return bare.count("\n", 0, m.start()) + 1
    return None


def _load_json(text: str, source: str) -> Any:
    deep = _json_depth(text)
    if deep is not None:
        raise PortfolioError(
            [
                f"{source}: line {deep}: lists and objects are nested more than {MAX_DEPTH} "
                "levels deep"
            ]
        )
    decoder = _Decoder(text)
    try:
        return decoder.decode(text)
    except _Refused as exc:
        raise PortfolioError([f"{source}: {exc}"]) from None
    except json.JSONDecodeError as exc:
        raise PortfolioError([f"{source} is not valid JSON: {_bounded(exc)}"]) from None
    except (ValueError, RecursionError) as exc:
        raise PortfolioError([f"{source} is not valid JSON: {_bounded(exc)}"]) from None


def _bounded(exc: BaseException) -> str:
    text = str(exc)
    if len(text) > _MOST_MESSAGE:
        text = text[: _MOST_MESSAGE - 1] + "…"
    return text
