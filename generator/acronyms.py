"""Acronyms defined in a text: "large language models (LLMs)" -> LLM.

The Schwartz-Hearst rule: every letter of the short form appears, in order,
in the words before the parenthesis, and its first letter starts a word.
"""

from __future__ import annotations

import re

# "(LLMs)", "(MoE)", "(3DGS)"; one token of 2-10 characters with a capital.
SHORT_FORM = re.compile(r"\(\s*([A-Za-z0-9][A-Za-z0-9\-]{1,9})\s*[;,)]")
LONG_FORM_WORDS = re.compile(r"[^\s]+")
SENTENCE_END = re.compile(r"[.!?;:()\[\]]\s")


def short_form_key(token: str) -> str:
    """The form an acronym is looked up by: plural "s" dropped (LLMs -> LLM)."""
    if len(token) > 2 and token.endswith("s") and token[:-1] != token[:-1].lower():
        return token[:-1]
    return token


def is_acronym(token: str) -> bool:
    """LLM, MoE, LoRA, 3DGS: at least two capitals, or a capital and a digit."""
    capitals = sum(c.isupper() for c in token)
    return capitals >= 2 or (capitals >= 1 and any(c.isdigit() for c in token))


def _long_form(short: str, before: str) -> str | None:
    letters = [c.lower() for c in short if c.isalnum()]
    if len(letters) < 2:
        return None
    words = LONG_FORM_WORDS.findall(before)[-min(len(letters) + 5, len(letters) * 2) :]
    text = " ".join(words)
    # Walk both strings from the end, as Schwartz and Hearst do.
    s, t = len(letters) - 1, len(text) - 1
    while s >= 0:
        c = letters[s]
        while t >= 0 and (text[t].lower() != c or (s == 0 and t > 0 and not text[t - 1].isspace())):
            t -= 1
        if t < 0:
            return None
        t -= 1
        s -= 1
    long = text[t + 1 :].strip(" -,")
    if len(long) <= len(short) or " " not in long.replace("-", " "):
        return None
    return long


def find_definitions(text: str) -> list[tuple[str, str]]:
    """(short form, long form) pairs in text order, e.g. ("LLM", "large
    language models"); the short form is given without its plural "s"."""
    found = []
    for match in SHORT_FORM.finditer(text):
        short = match.group(1).rstrip("-")
        if not is_acronym(short_form_key(short)) and not (
            short[:1].isupper() and short[1:].isupper()
        ):
            continue
        start = match.start()
        ends = [m.end() for m in SENTENCE_END.finditer(text, 0, start)]
        before = text[ends[-1] if ends else 0 : start]
        long = _long_form(short_form_key(short), before)
        if long:
            found.append((short_form_key(short), long))
    return found
