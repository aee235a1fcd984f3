"""The command line lists its choices as small enums (so that ``clears --help`` imports no
heavy module); each must offer exactly what the library it calls accepts."""

from __future__ import annotations

from enum import StrEnum

import pytest

from clears.cli import io as io_cmd
from clears.cli import score as score_cmd
from clears.instruments import flare, sledai
from clears.registry.exports.writer import Format


@pytest.mark.parametrize(
    ("choices", "accepted"),
    [
        (score_cmd.SledaiVariant, tuple(sledai.VARIANTS)),
        (score_cmd.FlareRule, tuple(flare.RULES)),
        (score_cmd.SevereReading, tuple(flare.SEVERE_READINGS)),
        (score_cmd.MildReading, tuple(flare.MILD_READINGS)),
        (io_cmd.ExportFormat, tuple(f.value for f in Format)),
    ],
)
def test_cli_choices_are_the_library_s(choices: type[StrEnum], accepted: tuple[str, ...]) -> None:
    # Independent source: the names the library validates against.
    assert sorted(c.value for c in choices) == sorted(accepted)
