"""Paper archive: turn Hugging Face paper listing dumps into a static site.

Pipeline stages, one module each: parse -> merge -> enrich (clean, keywords,
tags) -> render -> build. Every stage is a plain function over the
dataclasses in ``generator.models``.
"""
