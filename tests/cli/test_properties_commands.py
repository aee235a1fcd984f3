"""Property tests of the commands that take no cohort folder: simulate, design, instruments,
users, db, audit, export, import-redcap, serve and demo. Whatever the options, each exits
0, 1 or 2 without a traceback and writes nothing when it fails (no output file or folder, the
database, accounts included, unchanged). ``serve`` and ``demo`` get only options that must be
refused, so that no server starts and no demo runs.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from tests.cli._properties import HOSTILE_TEXT, check_contract, database_dump, few, invoke, mostly

_ODD = st.sampled_from(HOSTILE_TEXT) | st.text(max_size=8)


@pytest.mark.slow  # over a second in --durations
@few(8)
@given(
    preset=mostly(["aitmehdi2021", "cortes2012"], ["nope", ""]),
    n=mostly(["1", "3", "5"], ["0", "-1", "100001", "1e3", "x"]),
    seed=mostly(["1", "7"], ["-1", "x", "9" * 40]),
    calibration=st.booleans(),
)
def test_simulate_keeps_the_contract(preset: str, n: str, seed: str, calibration: bool) -> None:
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "sim"
        args = ["simulate", "--preset", preset, "--n", n, "--seed", seed, "--out", str(out)]
        check_contract(
            invoke([*args, *(["--calibration"] if calibration else [])], cwd=Path(work)),
            outputs=[out],
        )


@pytest.mark.slow
@few(15)
@given(
    p0=mostly(["0.1", "0.2"], ["0", "1", "-0.1", "nan", "x"]),
    p1=mostly(["0.3", "0.4"], ["0.1", "2", "inf"]),
    alpha=mostly(["0.05", "0.1"], ["0", "1", "-1"]),
    beta=mostly(["0.2", "0.1"], ["0", "1"]),
    nmax=mostly(["30", "60"], ["0", "-5", "100000000"]),
)
def test_design_simon_keeps_the_contract(
    p0: str, p1: str, alpha: str, beta: str, nmax: str
) -> None:
    args = ["design", "simon", "--p0", p0, "--p1", p1, "--alpha", alpha, "--beta", beta]
    check_contract(invoke([*args, "--nmax", nmax], cwd=Path.cwd()))


@pytest.mark.slow
@few(10)
@given(
    treatment=mostly(["0.5", "cortes2012:12"], ["nope:12", "cortes2012:x", "2", "", "0.5:1"]),
    arm=mostly(
        [["--control", "0.2"], ["--p0", "0.2"]],
        [[], ["--control", "0.2", "--p0", "0.1"], ["--p0", "-1"]],
    ).map(list),
    sizes=mostly(["10,20"], ["", "0", "-5", "a,b", "10,,20", "1" * 30]),
    n_sim=mostly(["50"], ["0", "-1"]),
    plot=st.sampled_from([None, "power.png", "power.txt"]),
)
def test_design_power_keeps_the_contract_and_writes_no_plot_on_failure(
    treatment: str, arm: list[str], sizes: str, n_sim: str, plot: str | None
) -> None:
    with tempfile.TemporaryDirectory() as work:
        args = ["design", "power", "--treatment", treatment, *arm, "--sizes", sizes]
        args += ["--n-sim", n_sim]
        outputs = []
        if plot is not None:
            args += ["--plot", plot]
            outputs.append(Path(work) / plot)
        check_contract(invoke(args, cwd=Path(work)), outputs=outputs)


@pytest.mark.slow
@few(5)
@given(name=st.sampled_from(["dictionary.csv", "sub/dictionary.csv", ".", "missing/"]))
def test_instruments_redcap_keeps_the_contract(name: str) -> None:
    with tempfile.TemporaryDirectory() as work:
        check_contract(invoke(["instruments", "redcap", "--out", name], cwd=Path(work)))


_USERS_FILES = st.sampled_from(
    [
        None,
        '{"users": []}',
        '{"users": [{"username": "ana", "role": "monitor", "password_hash": "x"}]}',
        "{",
        "[]",
        '{"users": 5}',
        "[" * 100_000,
        '{"users": [' + "9" * 5000 + "]}",
    ]
)


@pytest.mark.slow  # over a second in --durations
@few(20)
@given(
    action=st.sampled_from(["add", "list", "disable", "passwd", "reset", "role", "import"]),
    name=mostly(["ana", "bo"], ["", "a" * 300, "x y", "=cmd"]),
    role=mostly(["monitor", "investigator"], ["root", ""]),
    centres=mostly([["--all-centres"], ["--centre", "BCN"]], [[], ["--centre", ""]]).map(list),
    existing=_USERS_FILES,
    password=mostly(["a long passphrase 2026\n"], ["", "\n", "x\n"]),
)
def test_users_keeps_the_contract_and_leaves_the_accounts_unchanged_on_failure(
    registry: Path,
    action: str,
    name: str,
    role: str,
    centres: list[str],
    existing: str | None,
    password: str,
) -> None:
    with tempfile.TemporaryDirectory() as work:
        db = _copy(registry, Path(work))
        users = Path(work) / "users.json"
        if existing is not None:
            users.write_text(existing, encoding="utf-8")
        before = database_dump(db)
        args = ["users", action]
        if action == "import":
            args.append(str(users))
        elif action != "list":
            args.append(name)
        if action == "role":
            args.append(role)
        args += ["--db", f"sqlite:///{db}"]
        if action == "add":
            args += ["--role", role, *centres, "--password-stdin"]
        if action == "passwd":
            args.append("--password-stdin")
        done = invoke(args, cwd=Path(work), stdin=password)
        check_contract(done)
        if done.code != 0:
            assert database_dump(db) == before


def _copy(registry: Path, work: Path) -> Path:
    """A copy of the registry (and its audit key file) in ``work``."""
    from clears.registry.audit_key import KEY_FILE_SUFFIX

    db = work / "registry.db"
    db.write_bytes(registry.read_bytes())
    key = Path(f"{registry}{KEY_FILE_SUFFIX}")
    if key.exists():
        Path(f"{db}{KEY_FILE_SUFFIX}").write_bytes(key.read_bytes())
    return db


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated registry holding the example cohort, copied by each example."""
    folder = tmp_path_factory.mktemp("registry")
    path = folder / "template.db"
    url = f"sqlite:///{path}"
    assert invoke(["db", "init", "--db", url], cwd=folder).code == 0
    example = Path(__file__).resolve().parents[2] / "examples" / "cohort"
    done = invoke(["import", str(example), "--db", url, "--today", "2025-01-01"], cwd=folder)
    assert done.code == 0, done.stderr
    return path


_URLS = st.sampled_from(
    [
        "{db}",
        "sqlite:///{work}/absent.db",
        "sqlite:///",
        "nope://x",
        "",
        "postgresql://u:pw@127.0.0.1:1/x",
        "{work}",
    ]
)


@pytest.mark.slow
@few(12)
@given(
    command=st.sampled_from(
        [
            ["db", "upgrade"],
            ["db", "upgrade", "--revision", "nope"],
            ["db", "upgrade", "--revision", "base"],
            ["db", "backup", "--out", "{work}/backup.db"],
            ["db", "backup", "--out", "{work}/sub/none/backup.db"],
            ["audit", "verify"],
            ["audit", "show", "--patient", "P01"],
            ["audit", "show", "--patient", "=cmd"],
            ["export", "--out", "{work}/export", "--format", "csv"],
            ["export", "--out", "{work}/export", "--format", "sdtm", "--deidentify"],
            ["export", "--out", "{work}/export", "--format", "redcap", "--seed", "-1"],
            ["export", "--out", "{work}/export", "--format", "xml"],
            ["export", "--out", "{work}/export", "--study", ""],
        ]
    ),
    url=_URLS,
)
def test_registry_commands_keep_the_contract(registry: Path, command: list[str], url: str) -> None:
    with tempfile.TemporaryDirectory() as work:
        db = Path(work) / "registry.db"
        db.write_bytes(registry.read_bytes())
        before = database_dump(db)
        args = [part.format(work=work) for part in command]
        args += ["--db", url.format(db=f"sqlite:///{db}", work=work)]
        outputs = [Path(part) for part in args if part.startswith(work) and "backup" in part]
        outputs += [Path(work) / "export"] if command[0] == "export" else []
        done = invoke(args, cwd=Path(work))
        check_contract(done, outputs=outputs)
        if command[:2] != ["db", "upgrade"] or done.code != 0:
            assert database_dump(db) == before


_REDCAP_HEADER = "record_id,redcap_event_name,redcap_repeat_instrument,redcap_repeat_instance"


@pytest.mark.slow  # over a second in --durations
@few(10)
@given(
    body=st.sampled_from(
        [
            "",
            "record_id\nP01\n",
            _REDCAP_HEADER + "\nP01,baseline,,\n",
            _REDCAP_HEADER + ",unknown_field\nP01,baseline,,,x\n",
            "\x89PNG\x00\xff",
            '"open quote\n',
        ]
    ),
    cell=_ODD,
    centre=mostly(["BCN"], ["", "=cmd", "x" * 300]),
    today=st.none() | st.sampled_from(["2025-01-01", "2025-02-30"]),
)
def test_import_redcap_keeps_the_contract_and_leaves_the_database_unchanged(
    registry: Path, body: str, cell: str, centre: str, today: str | None
) -> None:
    with tempfile.TemporaryDirectory() as work:
        db = Path(work) / "registry.db"
        db.write_bytes(registry.read_bytes())
        before = database_dump(db)
        source = Path(work) / "records.csv"
        source.write_text(
            body.replace("P01", cell.replace(",", "") or "P01"), encoding="utf-8", errors="replace"
        )
        args = ["import-redcap", str(source), "--centre", centre, "--db", f"sqlite:///{db}"]
        if today is not None:
            args += ["--today", today]
        done = invoke(args, cwd=Path(work))
        check_contract(done)
        if done.code != 0:
            assert database_dump(db) == before


@pytest.mark.slow
@few(8)
@given(
    options=st.sampled_from(
        [
            ["--port", "0"],
            ["--port", "70000"],
            ["--port", "x"],
            ["--dev", "--host", "0.0.0.0"],
            ["--users", "{work}/missing/users.json", "--db", "nope://"],
            ["--db", "sqlite:///{work}/absent.db"],
            ["--unknown"],
        ]
    )
)
def test_serve_refuses_odd_options_without_starting(options: list[str]) -> None:
    with tempfile.TemporaryDirectory() as work:
        args = ["serve", *[part.format(work=work) for part in options]]
        done = invoke(args, cwd=Path(work))
        check_contract(done)
        assert done.code != 0


@pytest.mark.slow
@few(5)
@given(
    options=st.sampled_from(
        [["--n", "0"], ["--n", "-3"], ["--n", "x"], ["--seed", "x"], ["--db", "nope://"]]
    )
)
def test_demo_refuses_odd_options_and_writes_nothing(options: list[str]) -> None:
    with tempfile.TemporaryDirectory() as work:
        out = Path(work) / "demo"
        done = invoke(["demo", "--out", str(out), *options], cwd=Path(work))
        check_contract(done, outputs=[out / "clears-demo.db"])
        assert done.code != 0
