"""The docs stand alone: citations point at pages in the repository, and those pages exist.

Code, tests, data files and docs cite their sources as a page under ``docs/`` or as the
paper itself. This test fails on a citation of working notes that are not part of the
repository (``instruments.md``, ``anchors.md``, ``DESIGN.md``, ``reference/...``) and on a
``docs/...md`` path that names no file.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("src/clears", "tests", "docs", "benchmarks", "examples", "README.md", "CHANGELOG.md")
SUFFIXES = {".py", ".md", ".toml", ".csv", ".html", ".txt", ".json", ".yaml", ".yml"}

#: A note outside the repository: a bare ``instruments.md``/``anchors.md``/``DESIGN.md``/
#: ``evidence.md`` (a page of ``docs/`` is always written with its folder), or the folder of
#: working notes and seed texts.
OUTSIDE = re.compile(
    r"(?<![\w/])(?<!\]\()(?:reference/)?(?:instruments|anchors|DESIGN|evidence)\.md"
    r"|(?<!docs/)reference/(?:instruments|anchors|evidence|seeds|studies)"
    r"|shared/reference|seed file \d{3}_"
)
DOCS_PATH = re.compile(r"(?<![\w/.])docs/[\w./-]+?\.md")
#: A relative Markdown link to a page, as the pages under docs/ link each other.
LINK = re.compile(r"\]\(([\w./-]+\.md)(?:#[\w-]*)?\)")


def _files() -> list[Path]:
    found = []
    for entry in SCANNED:
        path = ROOT / entry
        candidates = [path] if path.is_file() else path.rglob("*")
        found += [p for p in candidates if p.is_file() and p.suffix in SUFFIXES]
    return sorted(p for p in found if p != Path(__file__).resolve())


def _rel(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def outside_citations(text: str) -> list[tuple[int, str]]:
    """(line, citation) of every citation of a note outside the repository in ``text``."""
    return [
        (number, match[0])
        for number, line in enumerate(text.splitlines(), 1)
        for match in OUTSIDE.finditer(line)
    ]


def test_no_citation_of_notes_outside_the_repository() -> None:
    files = _files()
    read = [_rel(path) for path in files]
    for folder in ("src/clears/instruments/", "tests/instruments/"):
        assert any(name.startswith(folder) for name in read)  # read like everything else
    problems = [
        f"{_rel(path)}:{line}: `{cited}`"
        for path in files
        for line, cited in outside_citations(path.read_text(encoding="utf-8", errors="replace"))
    ]
    assert not problems, (
        "cite a page under docs/ or the paper instead of notes outside the repository:\n"
        + "\n".join(problems)
    )


def test_every_docs_page_cited_exists() -> None:
    missing = [
        f"{_rel(path)}: {cited}"
        for path in _files()
        for cited in sorted(set(DOCS_PATH.findall(path.read_text("utf-8", errors="replace"))))
        if not (ROOT / cited).is_file()
    ]
    assert not missing, "cited docs pages that do not exist:\n" + "\n".join(missing)


def test_every_link_between_docs_pages_resolves() -> None:
    broken = [
        f"{_rel(page)}: {target}"
        for page in sorted((ROOT / "docs").rglob("*.md"))
        for target in LINK.findall(page.read_text(encoding="utf-8"))
        if not (page.parent / target).is_file()
    ]
    assert not broken, "links to pages that do not exist:\n" + "\n".join(broken)


def test_the_patterns_catch_what_they_should() -> None:
    bad = (
        "see instruments.md §6.3; (DESIGN.md) anchors.md §3.1 ../shared/reference/x "
        "reference/evidence.md A6 (seed file 001_89a5.txt) reference/seeds/003"
    )
    assert [cited for _, cited in outside_citations(bad)] == [
        "instruments.md",
        "DESIGN.md",
        "anchors.md",
        "shared/reference",
        "reference/evidence.md",
        "seed file 001_",
        "reference/seeds",
    ]
    good = (
        "docs/evidence.md, docs/instruments/ctcae.md, docs/reference/lenalidomide.md §3, "
        "[evidence](evidence.md)"
    )
    assert outside_citations(good) == []
    assert DOCS_PATH.findall(good) == [
        "docs/evidence.md",
        "docs/instruments/ctcae.md",
        "docs/reference/lenalidomide.md",
    ]
    assert LINK.findall("[a](b.md#x), [c](../d.md), [e](https://x.org/f.md)") == ["b.md", "../d.md"]
