"""Web-app settings, read from ``CLEARS_*`` environment variables or given directly.

Nothing is read at import time: :class:`Settings` is built by ``clears serve`` (or a test) and
handed to :func:`clears.web.app.create_app`. Outside ``environment="development"`` a missing,
short or placeholder secret key is refused, and session cookies are always ``Secure``.
``clears serve --dev`` builds development settings with a random key made for that run
(never the built-in :data:`DEVELOPMENT_SECRET`), on a loopback address only.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Final, Literal, TypedDict

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from clears.registry import DEFAULT_TOKEN_MAX_DAYS

__all__ = ["DEVELOPMENT_SECRET", "PLACEHOLDER_SECRETS", "ServerProxyOptions", "Settings"]

#: The only secret accepted without configuration, and only in development.
DEVELOPMENT_SECRET: Final = "development-only-secret-never-use-in-production"

#: Secrets refused outside development (compared case-insensitively).
PLACEHOLDER_SECRETS: Final = frozenset(
    {"", "changethis", "changeme", "secret", "password", "dev", "test", DEVELOPMENT_SECRET}
)

_MIN_SECRET_LENGTH: Final = 32

#: HSTS max-age in production when not configured: one year, as browsers' preload lists ask.
_HSTS_DEFAULT: Final = 365 * 24 * 3600


class ServerProxyOptions(TypedDict):
    """uvicorn's options for proxy headers (``uvicorn.run(app, **options)``)."""

    proxy_headers: bool
    forwarded_allow_ips: str


class Settings(BaseSettings):
    """Configuration of one web-app instance.

    Parameters
    ----------
    db_url
        Registry database URL (``--db``); ``None`` uses ``CLEARS_DB_URL`` or the default file.
    secret_key
        Key for CSRF tokens; at least 32 characters and not a placeholder outside development.
    environment
        ``development`` allows the built-in development secret and plain-HTTP cookies.
    users_file
        A users file (``CLEARS_USERS_FILE``), the format accounts had before they moved
        into the registry: never read by the app; ``clears serve`` refuses it and names
        ``clears users import`` (see ``docs/web.md``).
    session_minutes
        Idle time after which a session ends and the user must sign in again.
    login_attempts, login_window_seconds
        An address with this many failed sign-ins within the window is refused until they
        leave it; a user name with this many is slowed (``login_backoff_seconds``).
    login_backoff_seconds, login_backoff_cap_seconds
        The back-off of a user name with ``login_attempts`` or more recent failures: an
        address with failures of its own waits this long after its last one, doubled for
        each further failure of the name, at most the cap (an address without recent
        failures is never made to wait, so the real user is not locked out).
    trusted_proxies
        Addresses or networks of the reverse proxies in front of the app, comma-separated
        (``CLEARS_TRUSTED_PROXIES``, e.g. ``10.0.0.5,10.1.0.0/16``): only a connection from
        one of them has its ``X-Forwarded-For`` and ``X-Forwarded-Proto`` believed
        (``clears serve`` sets uvicorn's proxy headers from it). Default: none, every
        client is the address it connects from.
    protocol
        Decision-support protocol shown on patient pages (bundled name or file path).
    job_retention_hours
        A background job's result (report, export, outcome table) is removed this many
        hours after its first download (``CLEARS_JOB_RETENTION_HOURS``; the job workers
        ``clears serve`` starts apply it).
    max_body_bytes
        Largest request body accepted (JSON, forms), in bytes; a larger one is refused with
        413 before it is read or parsed (``CLEARS_MAX_BODY_BYTES``, default 1 MiB).
    max_upload_bytes
        Largest ``multipart/form-data`` body (an upload), in bytes (``CLEARS_MAX_UPLOAD_BYTES``,
        default 20 MiB).
    photo_root
        Folder of the photo store, where clinical photographs are kept
        (``CLEARS_PHOTO_ROOT``, the variable ``clears photos`` reads too); unset: ``photos/``
        beside a SQLite registry file, and required for any other database
        (:func:`clears.registry.photos.photo_store`, docs/photographs.md).
    survey_hours
        How long a patient survey link lasts, in hours (``CLEARS_SURVEY_HOURS``, default 72;
        the variable ``clears survey issue`` reads too).
    public_url
        The address patients reach the app at, for survey links and their QR codes
        (``CLEARS_PUBLIC_URL``, e.g. ``https://clears.example.org``); unset: the address of
        the request that issued the link.
    quality_rules
        A data-quality rules file (docs/quality.md) adding to, overriding or disabling the
        bundled rules whose warnings the patient page shows (``CLEARS_QUALITY_RULES``, the
        file ``clears dq run --rules`` reads); unset: the bundled rules. A file with a
        problem stops the app from starting, naming the rule, field and what is allowed.
    site_fields
        A site-fields file (docs/site-fields.md) declaring the extra typed fields of each
        table that the record forms, the API, exports and the REDCap dictionary carry
        (``CLEARS_SITE_FIELDS``); unset: none. A file with a problem stops the app from
        starting, naming the field and what is allowed.
    hsts_seconds
        ``Strict-Transport-Security`` max-age in seconds (``CLEARS_HSTS_SECONDS``); unset: one
        year in production, none elsewhere; ``0`` sends none (when a proxy in front sends it).
    api_token_max_days
        The longest an API token may be made to last, in days (``CLEARS_API_TOKEN_MAX_DAYS``,
        default 90); every token has an expiry within it.
    docs_sign_in
        Whether the API documentation (``/docs``, ``/openapi.json``) needs a signed-in user
        (``CLEARS_DOCS_SIGN_IN``); unset: in production only.

    Examples
    --------
    >>> Settings(environment="production", secret_key="changethis")
    Traceback (most recent call last):
    ...
    pydantic_core._pydantic_core.ValidationError: 1 validation error for Settings
    ...
    >>> Settings(environment="development").cookie_secure
    False
    """

    model_config = SettingsConfigDict(env_prefix="CLEARS_", extra="ignore")

    db_url: str | None = None
    secret_key: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    environment: Literal["development", "test", "production"] = "production"
    users_file: Path | None = None
    session_minutes: int = Field(default=30, ge=1, le=24 * 60)
    login_attempts: int = Field(default=5, ge=1, le=100)
    login_window_seconds: int = Field(default=300, ge=1, le=24 * 3600)
    login_backoff_seconds: float = Field(default=1.0, gt=0, le=3600)
    login_backoff_cap_seconds: float = Field(default=60.0, gt=0, le=24 * 3600)
    trusted_proxies: str = ""
    protocol: str = "cortes2012"
    job_retention_hours: float = Field(default=168.0, ge=0, le=24 * 366)
    max_body_bytes: int = Field(default=2**20, ge=2**10, le=2**30)
    max_upload_bytes: int = Field(default=20 * 2**20, ge=2**10, le=2**32)
    photo_root: Path | None = None
    survey_hours: float = Field(default=72.0, gt=0, le=24 * 31)
    public_url: str | None = None
    quality_rules: Path | None = None
    site_fields: Path | None = None
    api_token_max_days: int = Field(default=DEFAULT_TOKEN_MAX_DAYS, ge=1, le=2 * 366)
    hsts_seconds: int | None = Field(default=None, ge=0, le=2 * 365 * 24 * 3600)
    docs_sign_in: bool | None = None

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.environment == "development":
            return self
        secret = self.secret_key.get_secret_value()
        if secret.strip().lower() in PLACEHOLDER_SECRETS:
            raise ValueError(
                "secret_key: a placeholder secret is accepted only with "
                "environment='development'; set CLEARS_SECRET_KEY to a random value "
                "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
            )
        if len(secret) < _MIN_SECRET_LENGTH:
            raise ValueError(
                f"secret_key: has {len(secret)} characters; at least {_MIN_SECRET_LENGTH} "
                "are required outside development"
            )
        return self

    @field_validator("trusted_proxies")
    @classmethod
    def _proxies_are_addresses(cls, value: str) -> str:
        for entry in _entries(value):
            try:
                ipaddress.ip_network(entry, strict=False)
            except ValueError:
                raise ValueError(
                    f"trusted_proxies: {entry!r} is not an IP address or network; use "
                    "addresses or networks separated by commas (10.0.0.5,10.1.0.0/16), "
                    "or nothing"
                ) from None
        return value

    @property
    def proxy_addresses(self) -> tuple[str, ...]:
        """The trusted proxies, one address or network each (empty: none).

        Examples
        --------
        >>> Settings(environment="development", trusted_proxies=" 10.0.0.5, ::1 ").proxy_addresses
        ('10.0.0.5', '::1')
        """
        return _entries(self.trusted_proxies)

    def server_proxy_options(self) -> ServerProxyOptions:
        """uvicorn's proxy-header options from ``trusted_proxies`` (off when there are none).

        Examples
        --------
        >>> Settings(environment="development").server_proxy_options()
        {'proxy_headers': False, 'forwarded_allow_ips': ''}
        >>> Settings(environment="development", trusted_proxies="10.0.0.5").server_proxy_options()
        {'proxy_headers': True, 'forwarded_allow_ips': '10.0.0.5'}
        """
        addresses = self.proxy_addresses
        return ServerProxyOptions(
            proxy_headers=bool(addresses), forwarded_allow_ips=",".join(addresses)
        )

    @property
    def hsts_max_age(self) -> int:
        """Seconds of ``Strict-Transport-Security`` to send (0: none).

        Examples
        --------
        >>> Settings(environment="development").hsts_max_age
        0
        >>> Settings(environment="production", secret_key="k" * 32).hsts_max_age
        31536000
        """
        if self.hsts_seconds is not None:
            return self.hsts_seconds
        return _HSTS_DEFAULT if self.environment == "production" else 0

    @property
    def docs_need_sign_in(self) -> bool:
        """Whether ``/docs`` and ``/openapi.json`` need a signed-in user (``docs_sign_in``;
        unset: in production only).

        Examples
        --------
        >>> Settings(environment="development").docs_need_sign_in
        False
        >>> Settings(environment="development", docs_sign_in=True).docs_need_sign_in
        True
        """
        if self.docs_sign_in is not None:
            return self.docs_sign_in
        return self.environment == "production"

    @property
    def cookie_secure(self) -> bool:
        """Session cookies carry ``Secure`` everywhere except in development."""
        return self.environment != "development"


def _entries(value: str) -> tuple[str, ...]:
    return tuple(entry.strip() for entry in value.split(",") if entry.strip())
