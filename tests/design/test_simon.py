"""Simon two-stage designs against Simon (1989) Table 1 and a brute-force check."""

from __future__ import annotations

import itertools

import pytest
from scipy import stats

from clears._exceptions import InputError, NotFoundError
from clears.design.simon import operating_characteristics, simon_two_stage

# Rows of Simon R. Control Clin Trials 1989;10:1-10, Table 1 (optimal and minimax designs),
# as reproduced by R clinfun::ph2simon(pu, pa, ep1, ep2) output:
# (p0, p1, alpha, beta, optimal (r1, n1, r, n, EN0, PET0), minimax (r1, n1, r, n, EN0, PET0)).
SIMON_TABLE_1 = [
    (0.05, 0.25, 0.05, 0.20, (0, 9, 2, 17, 12.0, 0.63), (0, 12, 2, 16, 13.8, 0.54)),
    (0.10, 0.30, 0.05, 0.20, (1, 10, 5, 29, 15.0, 0.74), (1, 15, 5, 25, 19.5, 0.55)),
    (0.20, 0.40, 0.05, 0.20, (3, 13, 12, 43, 20.6, 0.75), (4, 18, 10, 33, 22.3, 0.72)),
    (0.20, 0.40, 0.10, 0.10, (3, 17, 10, 37, 26.0, 0.55), (3, 19, 10, 36, 28.3, 0.46)),
    (0.30, 0.50, 0.05, 0.20, (5, 15, 18, 46, 23.6, 0.72), (6, 19, 16, 39, 25.7, 0.67)),
]


@pytest.mark.parametrize(("p0", "p1", "alpha", "beta", "opt", "mm"), SIMON_TABLE_1)
def test_simon_table_rows(p0, p1, alpha, beta, opt, mm):
    res = simon_two_stage(p0, p1, alpha=alpha, beta=beta, nmax=50)
    for design, row in ((res.optimal, opt), (res.minimax, mm)):
        assert (design.r1, design.n1, design.r, design.n) == row[:4]
        assert round(design.en0, 1) == row[4]
        assert round(design.pet0, 2) == row[5]
        assert design.alpha_actual <= alpha
        assert design.power_actual >= 1 - beta
    assert res.optimal.en0 <= res.minimax.en0
    assert res.minimax.n <= res.optimal.n


def _brute_reject(r1, n1, r, n, p):
    # Enumerate every (x1, x2) outcome: reject when x1 > r1 and x1 + x2 > r.
    total = 0.0
    for x1, x2 in itertools.product(range(n1 + 1), range(n - n1 + 1)):
        if x1 > r1 and x1 + x2 > r:
            total += stats.binom.pmf(x1, n1, p) * stats.binom.pmf(x2, n - n1, p)
    return total


@pytest.mark.parametrize("design", [(1, 10, 5, 29), (0, 9, 2, 17), (4, 18, 10, 33)])
@pytest.mark.parametrize("p", [0.1, 0.3, 0.55])
def test_operating_characteristics_match_enumeration(design, p):
    r1, n1, r, n = design
    oc = operating_characteristics(r1, n1, r, n, p)
    assert oc["reject"] == pytest.approx(_brute_reject(r1, n1, r, n, p), abs=1e-12)
    # PET = scipy.stats.binom.cdf(r1, n1, p); EN = n1 + (1 - PET)(n - n1)
    pet = stats.binom.cdf(r1, n1, p)
    assert oc["pet"] == pytest.approx(pet)
    assert oc["en"] == pytest.approx(n1 + (1 - pet) * (n - n1))


@pytest.mark.slow  # over a second in --durations
def test_every_requirement_changes_the_design():
    base = simon_two_stage(0.1, 0.3, alpha=0.05, beta=0.2, nmax=50).optimal
    for kwargs in (
        {"p0": 0.05, "p1": 0.3, "alpha": 0.05, "beta": 0.2},
        {"p0": 0.1, "p1": 0.35, "alpha": 0.05, "beta": 0.2},
        {"p0": 0.1, "p1": 0.3, "alpha": 0.10, "beta": 0.2},
        {"p0": 0.1, "p1": 0.3, "alpha": 0.05, "beta": 0.1},
    ):
        other = simon_two_stage(
            kwargs["p0"], kwargs["p1"], alpha=kwargs["alpha"], beta=kwargs["beta"], nmax=60
        ).optimal
        assert (other.r1, other.n1, other.r, other.n) != (base.r1, base.n1, base.r, base.n)


def test_summary_and_text_name_the_method():
    res = simon_two_stage(0.1, 0.3, nmax=40)
    frame = res.summary()
    assert list(frame["kind"]) == ["optimal", "minimax"]
    assert frame["method"].str.contains("Simon").all()
    assert "1/10" in res.to_text()
    assert "5/29" in res.to_text()


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"p0": 0.0, "p1": 0.3}, "p0", "must be a probability"),
        ({"p0": 0.3, "p1": 0.2}, "p1", "must exceed p0"),
        ({"p0": 0.1, "p1": 0.3, "alpha": 0.6}, "alpha", "not a usable error rate"),
        ({"p0": 0.1, "p1": 0.3, "beta": 0.0}, "beta", "not a usable error rate"),
        ({"p0": 0.1, "p1": 0.3, "nmax": 1}, "nmax", "not a usable maximum"),
    ],
)
def test_rejections(kwargs, field, message):
    with pytest.raises(InputError) as info:
        simon_two_stage(**kwargs)
    problem = info.value.problems[0]
    assert problem.field == field
    assert message in problem.message


def test_no_design_within_nmax():
    with pytest.raises(NotFoundError, match="raise nmax"):
        simon_two_stage(0.1, 0.3, nmax=12)


def test_invalid_design_rejected():
    with pytest.raises(InputError, match="not a two-stage design"):
        operating_characteristics(5, 4, 6, 10, 0.2)
