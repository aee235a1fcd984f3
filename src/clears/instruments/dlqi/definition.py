"""The DLQI declared as data: ten items by number with neutral labels, scoring and bands.

The Dermatology Life Quality Index (Finlay & Khan 1994) is one of the skin-specific
quality-of-life measures the cutaneous lupus core outcome set lists (Guo 2021, Table 2).
Its item wording is copyright (A Y Finlay, G K Khan, 1992) and is not shipped: the items
are declared by number with short neutral labels of what each is about. A licensed centre
loads the wording from its own file (:func:`clears.instruments._base.item_wording`,
``CLEARS_INSTRUMENT_WORDING``).

Scoring (Finlay's DLQI instructions, Cardiff University Department of Dermatology):

* each item scores 0-3 (not at all 0, a little 1, a lot 2, very much 3);
* "not relevant" (items 3-10; items 1 and 2 have no such answer) scores 0. clears stores it
  as code 9 so the answer is kept distinct from "not at all";
* item 7: "yes" (prevented work or study) scores 3; if "no", a lot 2, a little 1, not at
  all 0. Stored as codes 0-3 with those points;
* total 0-30. One unanswered item is scored 0 and the total given as usual; with two or
  more unanswered the DLQI is not scored.

Bands (Hongbo et al. 2005): 0-1 no effect, 2-5 small effect, 6-10 moderate effect, 11-20
very large effect, 21-30 extremely large effect on the patient's life.

Sources
-------
Finlay AY, Khan GK. Dermatology Life Quality Index (DLQI): a simple practical measure for
routine clinical use. Clin Exp Dermatol 1994;19(3):210-216.
doi:10.1111/j.1365-2230.1994.tb01167.x.

Hongbo Y, Thomas CL, Harrison MA, Salek MS, Finlay AY. Translating the science of quality
of life into practice: what do Dermatology Life Quality Index scores mean? J Invest Dermatol
2005;125(4):659-664. doi:10.1111/j.0022-202X.2005.23621.x.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from clears.instruments._base import Band, Field, InstrumentDefinition, Item, Level, Reference

__all__ = [
    "BANDS",
    "BAND_REFERENCE",
    "DEFINITION",
    "MAX_UNANSWERED",
    "NOT_RELEVANT",
    "POINTS",
    "REFERENCE",
    "SCORING_REFERENCE",
    "TOTAL_COLUMN",
    "TOTAL_MAX",
]

REFERENCE = Reference(
    citation=(
        "Finlay AY, Khan GK. Dermatology Life Quality Index (DLQI): a simple practical "
        "measure for routine clinical use. Clin Exp Dermatol 1994;19(3):210-216"
    ),
    doi="10.1111/j.1365-2230.1994.tb01167.x",
    pmid="8033378",
)

SCORING_REFERENCE = Reference(
    citation="Finlay AY. DLQI scoring instructions. Cardiff University, Department of Dermatology",
    url="https://www.dermatology.org.uk/quality/quality-dlqi-faqs.html",
    note="not relevant = 0; item 7 yes = 3; one unanswered item = 0; two or more: no score",
)

BAND_REFERENCE = Reference(
    citation=(
        "Hongbo Y, Thomas CL, Harrison MA, Salek MS, Finlay AY. Translating the science of "
        "quality of life into practice: what do Dermatology Life Quality Index scores mean? "
        "J Invest Dermatol 2005;125(4):659-664"
    ),
    doi="10.1111/j.0022-202X.2005.23621.x",
    pmid="16185263",
    note="0-1 no, 2-5 small, 6-10 moderate, 11-20 very large, 21-30 extremely large effect",
)

#: Code of the "not relevant" answer (items 3-10): kept apart from "not at all", scores 0.
NOT_RELEVANT = 9
#: Unanswered items scored 0 before the questionnaire is left unscored (Finlay).
MAX_UNANSWERED = 1
TOTAL_COLUMN = "dlqi"

BANDS: tuple[Band, ...] = (
    Band("no effect", 0, 1),
    Band("small effect", 2, 5),
    Band("moderate effect", 6, 10),
    Band("very large effect", 11, 20),
    Band("extremely large effect", 21, 30),
)

_ANSWERS = (Level(0, "not at all"), Level(1, "a little"), Level(2, "a lot"), Level(3, "very much"))
_NOT_RELEVANT = Level(NOT_RELEVANT, "not relevant, scores 0")
_WORK = (
    Level(0, "no; not at all"),
    Level(1, "no; a little"),
    Level(2, "no; a lot"),
    Level(3, "yes, prevented work or study"),
    _NOT_RELEVANT,
)

# Short neutral labels of what each item is about (the DLQI's own wording is not shipped).
_LABELS = (
    "Skin symptoms",
    "Embarrassment or self-consciousness",
    "Shopping, home or garden",
    "Choice of clothes",
    "Social or leisure activities",
    "Sport",
    "Work or study",
    "Partner, friends or relatives",
    "Sexual difficulties",
    "Treatment",
)


def _item(number: int, label: str) -> Item:
    levels: tuple[Level, ...]
    if number == 7:
        levels = _WORK
    elif number <= 2:
        levels = _ANSWERS
    else:
        levels = (*_ANSWERS, _NOT_RELEVANT)
    return Item(f"q{number}", f"DLQI {number}: {label}", levels, description="Over the last week.")


DEFINITION = InstrumentDefinition(
    name="dlqi",
    title="Dermatology Life Quality Index (DLQI)",
    reference=REFERENCE,
    fields=tuple(
        Field(column=f"dlqi_q{n}", path=f"q{n}", item=_item(n, label))
        for n, label in enumerate(_LABELS, start=1)
    ),
    notes=(
        "Ten items, each 0-3; 'not relevant' (code 9) scores 0; item 7 'yes' scores 3.",
        "Total 0-30. One unanswered item scores 0; two or more: the DLQI is not scored.",
        "Bands (Hongbo 2005): 0-1 no, 2-5 small, 6-10 moderate, 11-20 very large, 21-30 "
        "extremely large effect on the patient's life.",
        "Item wording is copyright (Finlay & Khan); clears ships item numbers and labels only.",
    ),
)

#: Points of each stored code: the code itself, "not relevant" 0.
POINTS: Mapping[int, int] = MappingProxyType({0: 0, 1: 1, 2: 2, 3: 3, NOT_RELEVANT: 0})
TOTAL_MAX = sum(max(POINTS[c] for c in f.item.codes) for f in DEFINITION.fields)
