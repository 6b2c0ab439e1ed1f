"""Our words, not the seed article's: no run of 9 or more of its consecutive words.

The article (shared/seed/buttock-knots-article.txt) is not ours to ship, so the tests
keep only a fingerprint of it: a short hash of every run of `RUN` consecutive words,
in tests/seed_runs.txt. To refresh it from a new copy of the article:

    python tests/seed_words.py /path/to/buttock-knots-article.txt
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections.abc import Iterator
from pathlib import Path

RUN = 9
FINGERPRINT = Path(__file__).with_name("seed_runs.txt")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")


def words(text: str) -> list[str]:
    """The words of `text`, lower case, punctuation and typographic quotes dropped."""
    return _WORD.findall(text.lower().replace("\u2019", "'"))


def runs(text: str) -> Iterator[tuple[str, str]]:
    """(hash, words) of every run of RUN consecutive words of `text`."""
    found = words(text)
    for start in range(len(found) - RUN + 1):
        run = " ".join(found[start : start + RUN])
        yield hashlib.sha256(run.encode("utf-8")).hexdigest()[:16], run


def seed_fingerprint() -> frozenset[str]:
    return frozenset(FINGERPRINT.read_text(encoding="utf-8").split())


def borrowed_runs(text: str) -> list[str]:
    """The runs of RUN words that `text` shares with the seed article."""
    seed = seed_fingerprint()
    return [run for digest, run in runs(text) if digest in seed]


if __name__ == "__main__":
    article = Path(sys.argv[1]).read_text(encoding="utf-8")
    digests = sorted({digest for digest, _ in runs(article)})
    FINGERPRINT.write_text("\n".join(digests) + "\n", encoding="utf-8")
    print(f"wrote {len(digests)} fingerprints to {FINGERPRINT}")
