"""Stage 3a, clean: LaTeX remnants out of abstracts, links pulled out.

The dumps are copied from rendered pages, but arXiv abstracts keep bits of
LaTeX (``\\%``, ``\\url{...}``, ``{https://...}``, ``\\"{o}``). Cleaning
turns them into the text a reader expects; it never produces markup.
"""

from __future__ import annotations

import re
import unicodedata

ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303"}
ACCENT = re.compile(r"""\\(["'`^~])\{?([A-Za-z])\}?""")
WRAPPING_COMMAND = re.compile(r"\\(?:url|href|textbf|textit|emph|texttt|mathrm|text)\{([^{}]*)\}")
FONT_GROUP = re.compile(r"\{\\(?:it|bf|em|rm|tt|sc|sf)\s+([^{}]*)\}")
LETTERS = {r"\L": "\u0141", r"\l": "\u0142", r"\o": "\u00f8", r"\O": "\u00d8", r"\ss": "\u00df"}
ESCAPED_CHAR = re.compile(r"\\([%&_#$])")
BRACED_URL = re.compile(r"\{((?:https?://|www\.)[^{}\s]+)\}")
MATH_SYMBOLS = {
    r"\times": "\u00d7",
    r"\sim": "~",
    r"\approx": "\u2248",
    r"\leq": "\u2264",
    r"\geq": "\u2265",
    r"\pm": "\u00b1",
    r"\cdot": "\u00b7",
}
INLINE_MATH_DELIMS = re.compile(r"\\\(|\\\)")

URL = re.compile(r"(?:https?://|www\.)[^\s<>\"'{}\\|^`]+", re.IGNORECASE)
TRAILING = ".,;:!?'\"*"
CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co", "codeberg.org")


# After " ".join(text.split()) a space is the only white space left (re's
# \s and str.split() agree on what white space is): a plain " " is cheaper.
SPACE_BEFORE_PUNCTUATION = re.compile(r" ([.,;:)])")


def clean_text(text: str) -> str:
    if "\\" in text or "{" in text:  # every LaTeX pattern needs one; most abstracts have none
        text = clean_latex(text)
    return SPACE_BEFORE_PUNCTUATION.sub(r"\1", " ".join(text.split()))


def clean_latex(text: str) -> str:
    text = ACCENT.sub(lambda m: unicodedata.normalize("NFC", m[2] + ACCENTS[m[1]]), text)
    for _ in range(2):  # nested \textbf{\url{...}}
        text = WRAPPING_COMMAND.sub(
            lambda m: f" {m[1]} " if "://" in m[1] or m[1].startswith("www.") else m[1], text
        )
    text = FONT_GROUP.sub(r"\1", text)
    for command, letter in LETTERS.items():
        # A control word eats the space after it: "\\L ojasiewicz" is one word.
        text = re.sub(re.escape(command) + r"(?![A-Za-z]) ?", letter, text)
    text = BRACED_URL.sub(r" \1 ", text)
    text = ESCAPED_CHAR.sub(r"\1", text)
    for command, symbol in MATH_SYMBOLS.items():
        text = text.replace(command, symbol)
    return INLINE_MATH_DELIMS.sub("", text)


def strip_trailing(url: str) -> str:
    """Drop sentence punctuation and unbalanced closing brackets from a URL's end."""
    while url:
        last = url[-1]
        if last in TRAILING:
            url = url[:-1]
        elif last in ")]}" and url.count("([{"[")]}".index(last)]) < url.count(last):
            url = url[:-1]
        else:
            break
    return url


def extract_links(text: str) -> list[str]:
    """http(s) links in order of appearance, without duplicates."""
    links: list[str] = []
    lower = text.lower()
    if "http" not in lower and "www." not in lower:  # the URL pattern needs one
        return links
    for match in URL.finditer(text):
        url = strip_trailing(match.group(0))
        if url.lower().startswith("www."):
            url = "https://" + url
        if "." not in url.split("://", 1)[1]:
            continue
        if url not in links:
            links.append(url)
    return links


def clean_abstract(abstract: str) -> tuple[str, tuple[str, ...]]:
    """An abstract's cleaned text and its links (a tuple: memo.py keeps it)."""
    text = clean_text(abstract)
    return text, tuple(extract_links(text))


def is_code_link(url: str) -> bool:
    host = url.split("://", 1)[1].split("/", 1)[0].lower()
    return any(host == h or host.endswith("." + h) for h in CODE_HOSTS)
