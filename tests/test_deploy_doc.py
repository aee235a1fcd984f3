"""``docs/deploy.md`` stays true: its commands parse, its settings exist.

The page tells an operator what to type on a production host, so a renamed option or a
setting that no longer exists would fail there, at the worst moment. This test reads the
page as an operator would:

- every ``clears`` command in a code block (at a shell command position: first in a line
  or after ``|``, ``&&``, ``;``, after ``VAR=value`` prefixes, and ``ExecStart=`` of a unit
  file, as ``clears`` or a path ending in ``/bin/clears``) is parsed by the real command
  line (Typer's parser, :meth:`make_context`: the command path, every option, its value
  and the required arguments), without running it; a file named on it need not exist here;
- every ``clears ...`` in an inline code span names an existing command and only its
  options (spans hold placeholders such as ``NAME``, so their values are not parsed);
- every ``CLEARS_*`` name is a setting of :class:`clears.web.settings.Settings`, an
  environment variable of a command option, the audit key's variables or one the example
  scripts read, and every setting is named on the page;
- the settings file written out on the page builds valid production settings, and the
  values it lists as defaults are the defaults.

The last test runs the same checks on a page with a wrong flag, a wrong command, a wrong
value and an unknown setting, so the checks are seen to fail.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "deploy.md"

_FENCE = re.compile(r"^```([^\n]*)\n(.*?)^```[ \t]*$", re.M | re.S)
#: An inline code span, which may wrap onto the next line (never across a paragraph).
_SPAN = re.compile(r"`([^`]+)`")
_VARIABLE = re.compile(r"\bCLEARS_[A-Z0-9_]*[A-Z0-9]\b")
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
_OPERATOR = re.compile(r"^[();<>|&]+$")
#: The placeholder of a secret in the settings file (replaced by a random-looking value).
_PLACEHOLDER = re.compile(r"REPLACE_WITH_[A-Z_]+")


@dataclass(frozen=True)
class Command:
    """One ``clears`` command line of the page: its line number and the words after ``clears``."""

    line: int
    words: tuple[str, ...]

    def __str__(self) -> str:
        return f"line {self.line}: clears {shlex.join(self.words)}"


def _root() -> Any:
    from typer.main import get_command

    from clears.cli.main import app

    return get_command(app)


def _blocks(text: str) -> Iterator[tuple[int, str]]:
    """Each fenced code block but drawings (```` ```text ````): the page line of its first
    line, and its body."""
    for found in _FENCE.finditer(text):
        if found.group(1).strip() != "text":
            yield text.count("\n", 0, found.start(2)) + 1, found.group(2)


def _tokens(line: str) -> list[str]:
    lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:  # an unbalanced quote in a line that is not shell
        return line.split()


def _is_clears(word: str) -> bool:
    return word == "clears" or word.endswith("/bin/clears")


def _command_of(segment: list[str]) -> tuple[str, ...] | None:
    """The words after ``clears`` when ``segment`` (one simple command) runs clears."""
    for at, word in enumerate(segment):
        if _ASSIGNMENT.match(word):
            key, value = word.split("=", 1)
            if value.endswith("/bin/clears"):  # ExecStart=/opt/clears/bin/clears ...
                return tuple(segment[at + 1 :])
            if key.isupper():
                continue  # an environment prefix: VAR=value clears ...
            return None  # a unit file's other keys: Description=..., User=clears
        return tuple(segment[at + 1 :]) if _is_clears(word) else None
    return None


def block_commands(text: str) -> list[Command]:
    """Every ``clears`` command in the code blocks of ``text``."""
    found: list[Command] = []
    for start, body in _blocks(text):
        lines = body.split("\n")
        number = 0
        while number < len(lines):
            first = number
            line = lines[number]
            while line.endswith("\\") and number + 1 < len(lines):
                number += 1
                line = line[:-1] + " " + lines[number]
            number += 1
            segment: list[str] = []
            for token in [*_tokens(line), ";"]:
                if _OPERATOR.match(token):
                    words = _command_of(segment)
                    if words is not None:
                        found.append(Command(start + first, words))
                    segment = []
                else:
                    segment.append(token)
    return found


def span_commands(text: str) -> list[Command]:
    """Every inline code span of ``text`` (outside code blocks) that starts ``clears ``."""
    outside = _FENCE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    found = []
    for span in _SPAN.finditer(outside):
        if "\n\n" in span.group(1):
            continue
        words = _tokens(span.group(1).replace("\n", " "))
        if len(words) > 1 and words[0] == "clears":
            found.append(Command(outside.count("\n", 0, span.start()) + 1, tuple(words[1:])))
    return found


def _resolve(words: tuple[str, ...]) -> tuple[Any, list[str], list[str], str | None]:
    """The command ``words`` name, its path, the remaining words, and why it names none."""
    command, path, rest = _root(), [], list(words)
    while rest and hasattr(command, "commands") and rest[0] in command.commands:
        path.append(rest.pop(0))
        command = command.commands[path[-1]]
    if hasattr(command, "commands"):
        named = " ".join(["clears", *path])
        wrong = f"no command {rest[0]!r} in {named!r}" if rest else f"{named!r} needs a command"
        return command, path, rest, f"{wrong}; allowed: {', '.join(sorted(command.commands))}"
    return command, path, rest, None


def parse_problems(commands: list[Command]) -> list[str]:
    """What the real parser refuses in each command (a file it names need not exist here)."""
    problems = []
    for command in commands:
        leaf, path, rest, wrong = _resolve(command.words)
        if wrong is not None:
            problems.append(f"{command}: {wrong}")
            continue
        try:
            context = leaf.make_context(" ".join(["clears", *path]), rest)
        except Exception as exc:  # the parser's usage errors, whatever their class
            if "does not exist" not in str(exc):
                problems.append(f"{command}: {exc}")
        else:
            context.close()
    return problems


def option_problems(commands: list[Command]) -> list[str]:
    """Commands that do not exist, and options their command does not have."""
    problems = []
    for command in commands:
        leaf, _, rest, wrong = _resolve(command.words)
        if wrong is not None:
            problems.append(f"{command}: {wrong}")
            continue
        names = {"--help"} | {
            name for param in leaf.params for name in (*param.opts, *param.secondary_opts)
        }
        for word in rest:
            option = word.split("=", 1)[0]
            if option.startswith("-") and option not in names:
                problems.append(f"{command}: no option {option}; allowed: {sorted(names)}")
    return problems


def _cli_variables(command: Any) -> Iterator[str]:
    for param in getattr(command, "params", ()):
        envvar = getattr(param, "envvar", None)
        yield from [envvar] if isinstance(envvar, str) else (envvar or ())
    for sub in getattr(command, "commands", {}).values():
        yield from _cli_variables(sub)


def setting_variables() -> set[str]:
    """The environment variable of every web-app setting."""
    from clears.web.settings import Settings

    prefix = Settings.model_config.get("env_prefix", "")
    assert prefix == "CLEARS_"
    return {f"{prefix}{name.upper()}" for name in Settings.model_fields}


def known_variables() -> set[str]:
    """Every ``CLEARS_*`` variable clears or its example scripts read."""
    from clears.registry.audit_key import ENV_KEY, ENV_KEY_FILE

    examples = {
        name
        for path in (ROOT / "examples").glob("*")
        if path.suffix in {".py", ".R"}
        for name in _VARIABLE.findall(path.read_text(encoding="utf-8"))
    }
    return setting_variables() | set(_cli_variables(_root())) | {ENV_KEY, ENV_KEY_FILE} | examples


def variable_problems(text: str) -> list[str]:
    """Variables named on the page that nothing reads."""
    known = known_variables()
    return [
        f"{name} is not a setting clears reads"
        for name in sorted(set(_VARIABLE.findall(text)) - known)
    ]


@pytest.fixture(scope="module")
def page() -> str:
    return PAGE.read_text(encoding="utf-8")


@pytest.mark.slow
def test_every_command_in_a_code_block_parses(page: str) -> None:
    commands = block_commands(page)
    assert len(commands) >= 20, [str(c) for c in commands]
    assert parse_problems(commands) == []


@pytest.mark.slow
def test_the_page_covers_running_backing_up_upgrading_and_tokens(page: str) -> None:
    named = {" ".join(_resolve(c.words)[1]) for c in block_commands(page)}
    needed = {
        "db init", "db upgrade", "db backup", "db restore", "audit verify", "audit anchor",
        "users add", "users import", "users list", "serve", "jobs work",
        "tokens create", "tokens list", "tokens revoke",
    }  # fmt: skip
    assert needed - named == set()
    serve = [c for c in block_commands(page) if c.words[:1] == ("serve",)]
    assert any("--workers" in c.words for c in serve)


@pytest.mark.slow
def test_every_command_in_the_text_exists_with_its_options(page: str) -> None:
    commands = span_commands(page)
    assert len(commands) >= 10, [str(c) for c in commands]
    assert option_problems(commands) == []


def test_every_variable_named_exists_and_every_setting_is_named(page: str) -> None:
    assert variable_problems(page) == []
    assert sorted(setting_variables() - set(_VARIABLE.findall(page))) == []


def test_the_settings_file_builds_production_settings_with_the_stated_defaults(
    page: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from clears.web.settings import Settings

    body = next(b for _, b in _blocks(page) if b.startswith("# /etc/clears/clears.env"))
    head, _, defaults = body.partition("# defaults\n")

    def assigned(part: str) -> dict[str, str]:
        pairs = (line.split("=", 1) for line in part.splitlines() if "=" in line)
        return {
            key: _PLACEHOLDER.sub("k" * 48, value)
            for key, value in pairs
            if not key.startswith("#")
        }

    stated = assigned(defaults)
    assert stated, "the settings file lists no defaults"
    for name in [n for n in os.environ if n.startswith("CLEARS_")]:
        monkeypatch.delenv(name)
    for key, value in assigned(head).items():
        monkeypatch.setenv(key, value)
    base = Settings()
    for key, value in stated.items():
        monkeypatch.setenv(key, value)
    full = Settings()
    assert (full.environment, full.proxy_addresses) == ("production", ("127.0.0.1",))
    assert full.cookie_secure
    for key in stated:
        field = key.removeprefix("CLEARS_").lower()
        if field == "docs_sign_in":  # stated as true: what production does when unset
            assert full.docs_need_sign_in == base.docs_need_sign_in
        else:
            assert getattr(full, field) == getattr(base, field), key


@pytest.mark.slow
def test_the_checks_fail_on_a_wrong_flag_command_value_or_setting() -> None:
    wrong = (
        "```sh\n"
        "clears serve --wrokers 2\n"
        "sudo systemctl stop clears && clears frobnicate\n"
        "clears serve --workers two\n"
        "clears users add dr_bcn --centre BCN\n"
        "ExecStart=/opt/clears/bin/clears db backup --outt x.dump\n"
        "Description=Nightly clears backup\n"
        "CLEARS_DB_URL=sqlite:///c.db clears audit verify --anchr a.json\n"
        "```\n"
        "Then `clears db upgrade --revison head` with CLEARS_NOT_A_SETTING set.\n"
    )
    problems = parse_problems(block_commands(wrong))
    assert len(problems) == 6, problems
    for expected in ("--wrokers", "frobnicate", "two", "role", "--outt", "--anchr"):
        assert any(expected in p for p in problems), (expected, problems)
    assert len(option_problems(span_commands(wrong))) == 1
    assert variable_problems(wrong) == ["CLEARS_NOT_A_SETTING is not a setting clears reads"]
    right = "```sh\nclears serve --workers 2\nclears db backup --out x.dump\n```\n"
    assert parse_problems(block_commands(right)) == []
