"""Find the task a person means by a title they typed. Pure: titles in, scores out.

A title matches exactly (ignoring case, punctuation and "the/a/my"), as whole words inside a
longer title, or approximately (typos) word by word. Two close candidates are reported, never
decided between: the interpreter asks which one.
"""

import re
from difflib import SequenceMatcher

EXACT = 1.0
CONTAINED = 0.9
THRESHOLD = 0.62
CLEAR_LEAD = 0.15
_ARTICLES = {"the", "a", "an", "my"}


def normalize(text: str) -> list[str]:
    words = re.findall(r"[\w']+", text.lower())
    return [w for w in words if w not in _ARTICLES] or words


def score(query: str, title: str) -> float:
    q, t = normalize(query), normalize(title)
    if not q or not t:
        return 0.0
    if q == t:
        return EXACT
    if _contains(t, q) and len(" ".join(q)) >= 3:
        return CONTAINED
    per_word = sum(max(_ratio(w, x) for x in t) for w in q) / len(q)
    whole = _ratio(" ".join(q), " ".join(t))
    return max(per_word * 0.85, whole * 0.8)


def _contains(words: list[str], part: list[str]) -> bool:
    return any(words[i : i + len(part)] == part for i in range(len(words) - len(part) + 1))


def _ratio(a: str, b: str) -> float:
    return SequenceMatcher(None, a, b).ratio()


def best_matches(query: str, titles: list[tuple[int, str]], *, exact: bool = False) -> list[int]:
    """Ids of the task(s) meant: one id when the choice is clear, several when it is not,
    none when nothing is close (`exact`: nothing but the title itself)."""
    scored = sorted(((score(query, title), i) for i, title in titles), reverse=True)
    scored = [(s, i) for s, i in scored if s >= (EXACT if exact else THRESHOLD)]
    if not scored:
        return []
    top = scored[0][0]
    if top == EXACT:
        return [i for s, i in scored if s == EXACT]
    close = [i for s, i in scored if top - s < CLEAR_LEAD]
    return close


def corrected_title(title: str, meant: str) -> str:
    """The title once `meant` ("I meant oat milk") takes the place of the words of it that it
    overlaps: the run ending in its last word ("Buy milk": "Buy oat milk"), or starting with its
    first ("Call Bob", "call Rob": "Call Rob"); one word for the word it most resembles ("Email
    Sarah about it", "Sara"). With no overlap it is the whole new title."""
    words, said = title.split(), meant.split()
    if not words or not said:
        return _capitalized(meant) or title
    low, said_low = [_bare(w) for w in words], [_bare(w) for w in said]
    if said_low[-1] in low:
        end = len(low) - 1 - low[::-1].index(said_low[-1])
        start = end - len(said) + 1
        while start < 0 or low[start : end + 1] != said_low[-(end - start + 1) :]:
            start += 1
        new = [*words[:start], *said, *words[end + 1 :]]
    elif said_low[0] in low:
        start = low.index(said_low[0])
        new = [*words[:start], *said, *words[start + len(said) :]]
    elif len(said) == 1:
        best = max(range(len(words)), key=lambda i: _ratio(low[i], said_low[0]))
        if _ratio(low[best], said_low[0]) < THRESHOLD:
            return _capitalized(meant)
        new = [*words[:best], said[0], *words[best + 1 :]]
    else:
        return _capitalized(meant)
    return _capitalized(" ".join(new))


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]


def _bare(word: str) -> str:
    return word.lower().strip(".,;:!?\"'")
