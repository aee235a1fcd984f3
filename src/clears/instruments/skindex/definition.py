"""Skindex-29+3 declared as data: 33 items by number, four domains, scoring and cut-offs.

Skindex-29 (Chren et al. 1996; refined to 29 scored items, Chren et al. 1997) measures the
effects of skin disease on quality of life in three domains; the CLE version Skindex-29+3
adds three lupus-specific questions on photosensitivity and hair loss (used in the
University of Pennsylvania CLE database, e.g. its photosensitivity study, PMC3193852; the
papers of Klein et al. 2011 and Vasquez et al. 2013 that introduced it were not read here).
The cutaneous lupus core outcome set lists it for symptoms and health-related quality of
life (Guo 2021, Table 2). The item wording is copyright (M-M Chren; distributed by Mapi
Research Trust) and is not shipped: items are declared by number and the domain they belong
to. A licensed centre loads the wording from its own file
(:func:`clears.instruments._base.item_wording`, ``CLEARS_INSTRUMENT_WORDING``).

What is verified, and against what
----------------------------------
* 30 questions, 29 scored in three scales: emotions 10 items, symptoms 7 items,
  functioning 12 items; answers never, rarely, sometimes, often, all the time (VA HSR&D
  instrument review of Skindex-29, citing Chren 1997).
* Skindex-29+3: three additional CLE-specific questions on hair loss and photosensitivity
  forming their own subscale (Lupus Sci Med 2022;9:e000827, which also scores the overall
  Skindex-29+3 as the mean of the subscale scores).
* Answers transformed to 0, 25, 50, 75, 100 and a domain scored as the mean of its
  answered items (Chren 1997; Chren 2012 review): verified only as far as the sources
  above state a 0-100 scale per domain; the 25-point steps follow from five equally spaced
  answers on 0-100.

What is **not** verified (declared here as data so it can be corrected in one place)
-----------------------------------------------------------------------------------
* Which item numbers belong to which domain (:data:`DOMAIN_ITEMS`) and that item 18
  (treatment side effects) is in no domain: the scoring key as widely reproduced; the
  counts (7, 10, 12, one unscored) agree with the verified counts above.
* That items 31-33 use the same five answers and form the lupus-specific domain together.
* The missing-item rule (:data:`MAX_MISSING_FRACTION`): a domain is scored when at most a
  quarter of its items are unanswered. No printed source was found by clears; this is
  clears' documented choice, and every scoring function takes ``max_missing`` to change it.
* The severe-impairment cut-offs (:data:`SEVERE_CUTOFFS`, symptoms >= 52, emotions >= 39,
  functioning >= 37) are those attributed to Nijsten, Sampogna & Abeni 2009 (mixture
  analysis: five symptom categories, four emotion and functioning categories, as its
  abstract states); the values were not checked against the full text.

Sources
-------
Chren MM, Lasek RJ, Quinn LM, Mostow EN, Zyzanski SJ. Skindex, a quality-of-life measure for
patients with skin disease: reliability, validity, and responsiveness. J Invest Dermatol
1996;107(5):707-713.

Chren MM, Lasek RJ, Flocke SA, Zyzanski SJ. Improved discriminative and evaluative
capability of a refined version of Skindex, a quality-of-life instrument for patients with
skin diseases. Arch Dermatol 1997;133(11):1433-1440.

Nijsten T, Sampogna F, Abeni D. Categorization of Skindex-29 scores using mixture analysis.
Dermatology 2009;218(2):151-154.

Guo LN, Perez-Chada LM, Borucki R, Nambudiri VE, Werth VP, Merola JF. Development of a
working core outcome set for cutaneous lupus erythematosus. Lupus Sci Med
2021;8:e000529. doi:10.1136/lupus-2021-000529.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from clears._exceptions import InputError, Problem
from clears.instruments._base import Field, InstrumentDefinition, Item, Level, Reference

__all__ = [
    "DEFINITION",
    "DOMAINS",
    "DOMAIN_ITEMS",
    "ITEM_COUNT",
    "MAX_MISSING_FRACTION",
    "POINTS",
    "REFERENCE",
    "SCORING_REFERENCE",
    "SEVERE_CUTOFFS",
    "SEVERE_REFERENCE",
    "UNSCORED_ITEMS",
    "VERSION_REFERENCE",
    "Domain",
    "allowed_unanswered",
]

REFERENCE = Reference(
    citation=(
        "Chren MM, Lasek RJ, Flocke SA, Zyzanski SJ. Improved discriminative and evaluative "
        "capability of a refined version of Skindex, a quality-of-life instrument for "
        "patients with skin diseases. Arch Dermatol 1997;133(11):1433-1440"
    ),
)

SCORING_REFERENCE = Reference(
    citation=(
        "Chren MM. The Skindex instruments to measure the effects of skin disease on "
        "quality of life. Dermatol Clin 2012;30(2):231-236"
    ),
    doi="10.1016/j.det.2011.11.003",
    pmid="22284137",
    note=(
        "answers 0-100 in 25-point steps, domain = mean of answered items; item-to-domain "
        "key and the missing-item rule not verified (see clears.instruments.skindex)"
    ),
)

VERSION_REFERENCE = Reference(
    citation=(
        "Skindex-29+3: Skindex-29 with three cutaneous lupus questions on hair loss and "
        "photosensitivity forming a subscale; Lupus Sci Med 2022;9:e000827"
    ),
    url="https://lupus.bmj.com/content/9/1/e000827",
    note="CLE version first used by the University of Pennsylvania CLE database",
)

SEVERE_REFERENCE = Reference(
    citation=(
        "Nijsten T, Sampogna F, Abeni D. Categorization of Skindex-29 scores using mixture "
        "analysis. Dermatology 2009;218(2):151-154"
    ),
    note="severe: symptoms >= 52, emotions >= 39, functioning >= 37 (not checked in full text)",
)


@dataclass(frozen=True, slots=True)
class Domain:
    """One scored domain: its name, label and the item numbers averaged into it."""

    name: str
    label: str
    items: tuple[int, ...]

    @property
    def paths(self) -> tuple[str, ...]:
        """The items' JSON paths (``q1`` ...)."""
        return tuple(f"q{n}" for n in self.items)


#: Items of Skindex-29+3: 1-30 (Skindex-29, 29 scored) and 31-33 (the lupus items).
ITEM_COUNT = 33
#: The item asked but in no domain (treatment side effects; unverified, see above).
UNSCORED_ITEMS: tuple[int, ...] = (18,)
#: Item numbers of each domain (the scoring key; unverified, see the module docstring).
DOMAIN_ITEMS: Mapping[str, tuple[int, ...]] = MappingProxyType(
    {
        "symptoms": (1, 7, 10, 16, 19, 24, 27),
        "emotions": (3, 6, 9, 12, 13, 15, 21, 23, 26, 28),
        "functioning": (2, 4, 5, 8, 11, 14, 17, 20, 22, 25, 29, 30),
        "lupus": (31, 32, 33),
    }
)
_DOMAIN_LABELS: Mapping[str, str] = MappingProxyType(
    {
        "symptoms": "Symptoms",
        "emotions": "Emotions",
        "functioning": "Functioning",
        "lupus": "Lupus-specific (photosensitivity, hair loss)",
    }
)
_SHORT: Mapping[str, str] = MappingProxyType(
    {
        "symptoms": "symptoms",
        "emotions": "emotions",
        "functioning": "functioning",
        "lupus": "lupus-specific",
    }
)
DOMAINS: tuple[Domain, ...] = tuple(
    Domain(name, _DOMAIN_LABELS[name], items) for name, items in DOMAIN_ITEMS.items()
)

#: A domain is scored when at most this fraction of its items is unanswered (clears' choice;
#: no printed rule found). Every scoring function takes ``max_missing`` to change it.
MAX_MISSING_FRACTION = 0.25

#: Domain scores at or above which impairment is severe (Nijsten 2009; values unverified).
SEVERE_CUTOFFS: Mapping[str, int] = MappingProxyType(
    {"symptoms": 52, "emotions": 39, "functioning": 37}
)

_ANSWERS = (
    Level(0, "never"),
    Level(1, "rarely"),
    Level(2, "sometimes"),
    Level(3, "often"),
    Level(4, "all the time"),
)
#: Points of each stored code on the 0-100 domain scale.
POINTS: Mapping[int, int] = MappingProxyType({lv.code: 25 * lv.code for lv in _ANSWERS})

_DOMAIN_OF: Mapping[int, str] = MappingProxyType(
    {n: name for name, items in DOMAIN_ITEMS.items() for n in items}
)


def _label(number: int) -> str:
    domain = _DOMAIN_OF.get(number)
    about = "treatment side effects, not scored" if domain is None else _SHORT[domain]
    return f"Skindex {number}: {about}"


def _item(number: int) -> Item:
    return Item(
        f"q{number}",
        _label(number),
        _ANSWERS,
        description="How often: never, rarely, sometimes, often, all the time.",
    )


DEFINITION = InstrumentDefinition(
    name="skindex",
    title="Skindex-29+3 (cutaneous lupus version of Skindex-29)",
    reference=REFERENCE,
    fields=tuple(
        Field(column=f"skindex_q{n}", path=f"q{n}", item=_item(n)) for n in range(1, ITEM_COUNT + 1)
    ),
    notes=(
        "33 items, each never (0) to all the time (4), transformed to 0-100 in 25-point steps.",
        "Domains: symptoms (7 items), emotions (10), functioning (12), lupus-specific (31-33); "
        "item 18 is in no domain. Domain score = mean of its answered items.",
        "A domain is not scored when more than a quarter of its items are unanswered "
        "(clears' choice, configurable; no printed rule found).",
        "Severe impairment (Nijsten 2009, unverified values): symptoms >= 52, emotions >= 39, "
        "functioning >= 37.",
        "Item wording is copyright (Chren); clears ships item numbers and domains only.",
    ),
)


def allowed_unanswered(domain: Domain, max_missing: float = MAX_MISSING_FRACTION) -> int:
    """How many of ``domain``'s items may be unanswered with the domain still scored.

    At most ``max_missing`` of its items (a fraction, 0 up to but not including 1), rounded
    down: with the default quarter, 1 of the 7 symptom items, 2 of 10 emotions, 3 of 12
    functioning, none of the 3 lupus items.

    Raises
    ------
    InputError
        ``max_missing`` is not a number from 0 up to, but not including, 1.

    Examples
    --------
    >>> [allowed_unanswered(d) for d in DOMAINS]
    [1, 2, 3, 0]
    """
    if (
        isinstance(max_missing, bool)
        or not isinstance(max_missing, int | float)
        or not 0 <= max_missing < 1
    ):
        allowed = "a fraction from 0 up to, not including, 1 (default 0.25)"
        raise InputError(Problem("max_missing", max_missing, "out of range", allowed))
    return math.floor(max_missing * len(domain.items) + 1e-9)
