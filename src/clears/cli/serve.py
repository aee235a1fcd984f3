"""``clears serve``: run the web app (FastAPI under uvicorn) over a registry database."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from clears.cli.db import DbOption

__all__ = ["serve"]


def serve(
    db: DbOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    users: Annotated[
        Path | None,
        typer.Option(
            "--users", help="Users file (default: $CLEARS_USERS_FILE).", show_default=False
        ),
    ] = None,
) -> None:
    """Serve the web app: sign-in, patients, visits, decision support, cohort, JSON API.

    The secret key comes from CLEARS_SECRET_KEY (a placeholder is refused unless
    CLEARS_ENVIRONMENT=development); the database must exist (clears db init).
    """
    import uvicorn
    from pydantic import ValidationError

    from clears._exceptions import InputError, Problem
    from clears.web.app import create_app
    from clears.web.settings import Settings

    overrides: dict[str, object] = {}
    if db is not None:
        overrides["db_url"] = db
    if users is not None:
        overrides["users_file"] = users
    try:
        settings = Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise InputError(
            [
                Problem(".".join(str(p) for p in e["loc"]) or "settings", None, e["msg"])
                for e in exc.errors()
            ]
        ) from exc
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")
