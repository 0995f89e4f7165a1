"""Maintainers' tag rules from tags.yml: merges, bans, display names.

Every phrase in the file is matched the way the tag step matches keywords
(case, hyphen/space and plural do not matter), so maintainers write tags as
they read them on the site. A mistake in the file stops the build with the
file and line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

SECTIONS = {
    "merge": "map a tag to the tag it should become",
    "ban": "tags that must never be made",
    "display": "the name shown for a tag",
    "keep": "tags never dropped as generic or truncated",
}


class TagRulesError(Exception):
    """tags.yml cannot be used; the message names file and line."""


@dataclass
class TagRules:
    """Phrases as written in tags.yml; the tag step canonicalises them."""

    merge: dict[str, str] = field(default_factory=dict)
    ban: list[str] = field(default_factory=list)
    display: dict[str, str] = field(default_factory=dict)
    keep: list[str] = field(default_factory=list)


def _where(path: Path, node: yaml.Node) -> str:
    return f"{path}:{node.start_mark.line + 1}"


def _string(path: Path, node: yaml.Node) -> str:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        raise TagRulesError(f"{_where(path, node)}: expected a non-empty phrase")
    return str(node.value).strip()


def parse_rules(text: str, path: Path | str = "tags.yml") -> TagRules:
    path = Path(path)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark else ""
        raise TagRulesError(f"{path}{line}: not valid YAML: {exc}") from exc
    rules = TagRules()
    if root is None:
        return rules
    if not isinstance(root, yaml.MappingNode):
        raise TagRulesError(f"{_where(path, root)}: expected sections {', '.join(SECTIONS)}")
    for key_node, value in root.value:
        section = _string(path, key_node)
        if section not in SECTIONS:
            raise TagRulesError(
                f"{_where(path, key_node)}: unknown section {section!r};"
                f" expected one of {', '.join(SECTIONS)}"
            )
        if isinstance(value, yaml.ScalarNode) and value.value in ("", "~", "null"):
            continue  # an empty section
        if section in ("merge", "display"):
            if not isinstance(value, yaml.MappingNode):
                raise TagRulesError(f"{_where(path, value)}: {section}: expected 'phrase: phrase'")
            target = getattr(rules, section)
            for k, v in value.value:
                phrase = _string(path, k)
                if phrase in target:
                    raise TagRulesError(f"{_where(path, k)}: {section}: {phrase!r} given twice")
                target[phrase] = _string(path, v)
        else:
            if not isinstance(value, yaml.SequenceNode):
                raise TagRulesError(f"{_where(path, value)}: {section}: expected a list")
            getattr(rules, section).extend(_string(path, item) for item in value.value)
    return rules


def load_rules(path: Path) -> TagRules:
    """The rules in path; no file means no rules."""
    if not path.exists():
        return TagRules()
    return parse_rules(path.read_text(encoding="utf-8"), path)
