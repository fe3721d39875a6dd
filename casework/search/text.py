"""Text as people type it when they search: without accents, case or German spelling variants.

`normalise` is applied to both sides: to the stored search columns when a record is saved and
to what a person types. Both sides fold the same way, so "sahin" finds "Şahin", "Giessen" finds
"Gießen" and "Muenchen" finds "München". Folding "ae"/"oe"/"ue" on both sides can only add
matches (e.g. "Michael" also for "michal"), never lose one.
"""

import re
import unicodedata

# Letters that Unicode does not decompose into a base letter and a combining mark.
_LETTERS = str.maketrans({"ı": "i", "ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th"})
_UMLAUT_SPELLING = re.compile(r"([aou])e")
# Control characters that do not separate words: nobody searches for them, and SQLite's vocabulary reads a
# document's words as JSON, which refuses them (casework/search/index.py).
_CONTROL = dict.fromkeys(code for code in [*range(0x20), *range(0x7F, 0xA0)] if not chr(code).isspace())


def strip_accents(text):
    """Lower case, no diacritics, ß as ss: the letters a German reader treats as the same."""
    text = unicodedata.normalize("NFKD", (text or "").casefold().translate(_LETTERS))
    return "".join(char for char in text if not unicodedata.combining(char))


def normalise(text):
    """The form of `text` stored in search columns and used for the search terms."""
    return " ".join(_UMLAUT_SPELLING.sub(r"\1", strip_accents(text).translate(_CONTROL)).split())


def search_terms(query):
    """The normalised words of a query; a record matches when it contains every word."""
    return normalise(query).split()
