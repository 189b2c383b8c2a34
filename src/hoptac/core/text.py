"""Text folding for accent- and case-insensitive matching of Vietnamese names."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str | None) -> str:
    """Lower-case, strip diacritics (đ → d included), collapse white space.

    `fold("Huyện  Than Uyên") == "huyen than uyen"`. Stored beside names so that a plain
    `icontains` on the folded column is accent-insensitive on SQLite and PostgreSQL alike.
    """
    if not text:
        return ""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip().lower()
