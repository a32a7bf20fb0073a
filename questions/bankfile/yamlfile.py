"""YAML with line numbers: every mapping remembers the line it starts on (``__line__``), so
that each problem can name its line; duplicate keys and keys that cannot be field names are
refused. A ``SafeLoader`` subclass: no Python objects are ever built from a file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    question: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        who = f" [{self.question}]" if self.question else ""
        return f"{where}{who}: {self.message}"


class Collector:
    """Problems found so far, each with its file, line and question id."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, file: str, line: int | None, message: str, question: str | None = None) -> None:
        self.problems.append(Problem(file, line, question, message))


class Loader(yaml.SafeLoader):
    """A YAML loader that remembers each mapping's line and refuses duplicate keys."""


def construct_mapping(loader: Loader, node: yaml.MappingNode) -> dict:
    seen: set = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)  # "{[1]: x}" or "? {a: 1}" is YAML, but no field name
        except TypeError:
            raise yaml.MarkedYAMLError(
                problem=f"a key must be a plain value, not a {type(key).__name__}",
                problem_mark=key_node.start_mark,
            ) from None
        if key in seen:
            raise yaml.MarkedYAMLError(problem=f"duplicate key {key!r}", problem_mark=key_node.start_mark)
        seen.add(key)
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)


def plain(value):
    """The value without the line numbers the loader added."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def stripped(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def _yaml_error(exc: yaml.YAMLError, rel: str, out: Collector) -> None:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark
        out.add(rel, mark.line + 1 if mark else None, f"YAML error: {exc.problem}")
    else:
        out.add(rel, None, f"YAML error: {exc}")


def _value_error(exc: Exception, rel: str, out: Collector) -> None:
    """What PyYAML raises outside ``YAMLError`` while building values: a date such as
    2024-13-45 or an integer of thousands of digits (ValueError), nesting deeper than the
    interpreter allows (RecursionError)."""
    if isinstance(exc, RecursionError):
        out.add(rel, None, "YAML error: the file nests lists or mappings too deeply")
    else:
        out.add(rel, None, f"YAML error: a value cannot be read ({exc})")


def load_yaml(path: Path, rel: str, out: Collector):
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        out.add(rel, None, f"not UTF-8 text ({exc.reason})")
        return None
    try:
        return yaml.load(text, Loader=Loader)  # noqa: S506  # nosec B506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        _yaml_error(exc, rel, out)
    except (ValueError, RecursionError) as exc:
        _value_error(exc, rel, out)
    return None


def load_yaml_documents(text: str, rel: str, out: Collector) -> list:
    """Every document of a YAML stream (``---`` separated), with line numbers; [] on an error."""
    try:
        return list(yaml.load_all(text, Loader=Loader))
    except yaml.YAMLError as exc:
        _yaml_error(exc, rel, out)
    except (ValueError, RecursionError) as exc:
        _value_error(exc, rel, out)
    return []


def unknown_keys(data: dict, allowed: set, rel: str, out: Collector, qid=None) -> None:
    for key in data:
        if key != "__line__" and key not in allowed:
            out.add(rel, data.get("__line__"), f"unknown field {key!r}", qid)
