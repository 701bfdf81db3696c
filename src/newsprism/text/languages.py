"""Which articles the models read (`analysis_languages`). The spaCy pipeline, MiniLM and the lexicons read
English: on an article in another language, entities, quotes and claims would be guesses shown as findings,
and its vectors would group it with unrelated reports. So it is stored and listed as a story of its own, and
nothing is drawn from it."""

from __future__ import annotations

from .. import settings


def is_analysed(language: str | None) -> bool:
    """Whether the models read an article in `language` (ISO 639-1; None when unknown)."""
    if not language:
        return True
    codes = {code.strip().lower() for code in settings.current().analysis_languages.split(",")}
    return "*" in codes or language.split("-")[0].lower() in codes
