"""Patient surveys: the writer's page that issues a visit's link (shown once, with its QR
code), and the public page ``/survey/{token}`` a patient answers on a phone.

The public page needs no account and shows nothing but the questions, the visit date and a
language chooser: no navigation, no patient identifier. Its form is protected by a
double-submit token (a random value in a short-lived ``SameSite=Strict`` cookie the form
must echo, as the sign-in form). An unknown, used, revoked or expired link gets the same
page and status (410) whatever the cause, and every such refusal counts against the client
address in the sign-in limiter (:class:`clears.registry.SignInLimiter`, key ``survey:``
and the address), so guessing links is refused (429) like guessing passwords. A refused
answer (422) shows the questions again with what was chosen and each problem naming its
question; a visit signed or locked since the link was issued is refused in plain words
(409). Answers go through :func:`clears.registry.surveys.submit_survey` (audited).
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated, Any, Final

import segno
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from clears._exceptions import InputError
from clears.instruments.core_set import LICENSED_WORDING
from clears.registry import RecordLockedError
from clears.registry.records import get_record
from clears.registry.surveys import (
    LANGUAGES,
    OpenSurvey,
    SurveyUnavailableError,
    issue_survey,
    licensed_wording,
    list_surveys,
    open_survey,
    revoke_survey,
    submit_survey,
)
from clears.web._render import render
from clears.web._survey_wording import LANGUAGE_NAMES, QUESTIONS, TEXT
from clears.web._urls import SegmentRoute, patient_path, segment
from clears.web.deps import CSRF, CurrentUser, RegistryDep, StateDep, SurveyIssuer
from clears.web.schemas import RecordId

__all__ = ["router", "survey_url"]

router = APIRouter(route_class=SegmentRoute, include_in_schema=False)

_COOKIE: Final = "clears_survey"
_TOKEN_LENGTH: Final = 64  # the longest token read (clears.registry's are 43)
_HEADERS: Final = {"Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex"}


def survey_url(base: str, token: str) -> str:
    """The link a patient opens.

    Examples
    --------
    >>> survey_url("https://clears.example.org/", "abc")
    'https://clears.example.org/survey/abc'
    """
    return f"{base.rstrip('/')}/survey/{token}"


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (segno, error correction M)."""
    return str(segno.make(url, error="m").svg_inline(scale=6, border=2, title="QR code"))


# --- the writer's page -----------------------------------------------------------------------


def _visit_survey_page(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: Any,
    patient_id: str,
    visit_id: int,
    *,
    issued: dict[str, str] | None = None,
    status: int = 200,
    message: str = "",
) -> Response:
    with registry.reading().session() as session:
        visit = get_record(session, actor=user.actor(), table="visits", record_id=visit_id)
        links = list_surveys(session, actor=user.actor(), visit_id=visit_id, limit=20)
    return render(
        request,
        state,
        user,
        "survey_issue.html",
        status=status,
        patient_id=visit.patient_id,
        visit=visit,
        links=links,
        issued=issued,
        languages=LANGUAGE_NAMES,
        message=message,
        path=patient_path(visit.patient_id, "visits", str(visit_id), "survey"),
    )


@router.get("/patients/{patient_id}/visits/{record_id}/survey")
def visit_survey(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: CurrentUser,
    patient_id: str,
    record_id: RecordId,
) -> Response:
    """The visit's survey links and the form that issues a new one."""
    return _visit_survey_page(request, state, registry, user, patient_id, record_id)


@router.post("/patients/{patient_id}/visits/{record_id}/survey", dependencies=[CSRF])
def issue(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: SurveyIssuer,
    patient_id: str,
    record_id: RecordId,
    language: Annotated[str, Form(max_length=8)] = "en",
) -> Response:
    """Issue a link (earlier ones of the visit are revoked); the link and QR code, once."""
    try:
        with registry.session() as session:
            made = issue_survey(
                session,
                actor=user.actor(),
                role=user.role,
                visit_id=record_id,
                language=language,
                hours=state.settings.survey_hours,
            )
    except InputError as exc:  # a locked visit or an unknown language
        return _visit_survey_page(
            request, state, registry, user, patient_id, record_id, status=422, message=str(exc)
        )
    url = survey_url(state.settings.public_url or str(request.base_url), made.token)
    shown = {"url": url, "qr": qr_svg(url), "expires": f"{made.link.expires_at:%Y-%m-%d %H:%M}"}
    return _visit_survey_page(request, state, registry, user, patient_id, record_id, issued=shown)


@router.post("/patients/{patient_id}/survey-links/{record_id}/revoke", dependencies=[CSRF])
def revoke(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    user: SurveyIssuer,
    patient_id: str,
    record_id: RecordId,
) -> Response:
    """Revoke a link (``record_id``: the link's number); back to its visit's page."""
    with registry.session() as session:
        link = revoke_survey(session, actor=user.actor(), role=user.role, link_id=record_id)
    return _visit_survey_page(request, state, registry, user, patient_id, link.visit_id)


# --- the patient's page ----------------------------------------------------------------------


def _client_key(request: Request) -> str:
    return f"survey:{request.client.host if request.client else 'unknown'}"


def _plain(request: Request, state: StateDep, language: str, key: str, status: int) -> Response:
    words = TEXT.get(language, TEXT["en"])
    return state.templates.TemplateResponse(
        request,
        "survey_message.html",
        {"words": words, "message": words[key], "language": language},
        status_code=status,
        headers=_HEADERS,
    )


def _gone(request: Request, state: StateDep, language: str) -> Response:
    state.limiter.record_failure([_client_key(request)])
    return _plain(request, state, language, "gone", 410)


def _languages(opened: OpenSurvey) -> list[str]:
    """The languages every offered instrument has wording in."""
    licensed = [d for d in opened.instruments if d.name in LICENSED_WORDING]
    return [
        code
        for code in LANGUAGES
        if all(len(licensed_wording(d, code)) == len(d.fields) for d in licensed)
    ]


def _questions(opened: OpenSurvey, language: str) -> list[dict[str, Any]]:
    own = QUESTIONS[language]
    questions: list[dict[str, Any]] = []
    for definition in opened.instruments:
        wording = (
            licensed_wording(definition, language) if definition.name in LICENSED_WORDING else {}
        )
        for field in definition.fields:
            text, low, high = own.get(field.column, (wording.get(field.column, ""), "", ""))
            questions.append(
                {
                    "column": field.column,
                    "label": field.display_label,
                    "text": text or field.display_label,
                    "low": low,
                    "high": high,
                    "numeric": field.column in own,
                    "levels": [(level.code, level.label) for level in field.item.levels],
                }
            )
    return questions


def _survey_page(
    request: Request,
    state: StateDep,
    token: str,
    opened: OpenSurvey,
    language: str,
    *,
    values: dict[str, str] | None = None,
    error: InputError | None = None,
    stale: bool = False,
) -> Response:
    words = TEXT[language]
    form_token = secrets.token_urlsafe(16)
    response = state.templates.TemplateResponse(
        request,
        "survey.html",
        {
            "words": words,
            "language": language,
            "languages": [(code, LANGUAGE_NAMES[code]) for code in _languages(opened)],
            "intro": words["intro"].format(date=opened.visit_date.isoformat()),
            "questions": _questions(opened, language),
            "values": values or {},
            "problems": list(error.problems) if error else [],
            "marked": {str(p.field) for p in error.problems} if error else set(),
            "notice": words["stale"] if stale else (words["fix"] if error else ""),
            "form_token": form_token,
            "action": f"/survey/{segment(token)}",
        },
        status_code=422 if error else (400 if stale else 200),
        headers=_HEADERS,
    )
    response.set_cookie(
        _COOKIE,
        form_token,
        max_age=3600,
        path="/survey",
        httponly=True,
        samesite="strict",
        secure=state.settings.cookie_secure,
    )
    return response


def _chosen(language: str | None, opened: OpenSurvey) -> str:
    allowed = _languages(opened)
    if language in allowed:
        return str(language)
    return opened.language if opened.language in allowed else "en"


@router.get("/survey/{token}")
def survey(
    request: Request,
    state: StateDep,
    registry: RegistryDep,
    token: str,
    lang: Annotated[str | None, Query(max_length=8)] = None,
) -> Response:
    """The survey of a live link; the one "can no longer be used" page otherwise (410)."""
    shown = lang if lang in LANGUAGES else "en"
    if state.limiter.blocked([_client_key(request)]):
        return _plain(request, state, shown, "gone", 429)
    if len(token) > _TOKEN_LENGTH:
        return _gone(request, state, shown)
    try:
        with registry.reading().session() as session:
            opened = open_survey(session, token=token)
    except SurveyUnavailableError:
        return _gone(request, state, shown)
    return _survey_page(request, state, token, opened, _chosen(lang, opened))


@router.post("/survey/{token}")
async def answer(request: Request, state: StateDep, registry: RegistryDep, token: str) -> Response:
    """Save the answers once; the thanks page, or the form again with what was chosen."""
    form = await request.form()
    fields = {k: v for k, v in form.items() if isinstance(v, str)}
    language = fields.pop("lang", "en")
    given = fields.pop("form_token", "")
    shown = language if language in LANGUAGES else "en"
    if state.limiter.blocked([_client_key(request)]):
        return _plain(request, state, shown, "gone", 429)
    if len(token) > _TOKEN_LENGTH:
        return _gone(request, state, shown)
    expected = request.cookies.get(_COOKIE, "")
    try:
        with registry.reading().session() as session:
            opened = open_survey(session, token=token)
    except SurveyUnavailableError:
        return _gone(request, state, shown)
    chosen = _chosen(language, opened)
    answers = {k: v for k, v in fields.items() if not k.startswith("_")}
    if not expected or not hmac.compare_digest(expected, given):
        return _survey_page(request, state, token, opened, chosen, values=answers, stale=True)
    try:
        with registry.session() as session:
            submit_survey(session, token=token, answers=answers)
    except SurveyUnavailableError:
        return _gone(request, state, chosen)
    except RecordLockedError:
        return _plain(request, state, chosen, "locked", 409)
    except InputError as exc:
        return _survey_page(request, state, token, opened, chosen, values=answers, error=exc)
    response = _plain(request, state, chosen, "thanks", 200)
    response.delete_cookie(_COOKIE, path="/survey")
    return response
