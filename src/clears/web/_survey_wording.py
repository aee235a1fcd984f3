"""The patient survey's own wording in English, French and Spanish, as data.

The PtGA and the itch and pain NRS are plain 0-10 numeric rating scales with no licensed
wording (Guo 2021 recommends the domains, not a text); the questions below are clears' own,
written after the definitions' descriptions (:mod:`clears.instruments.ptga.definition`,
:mod:`clears.instruments.nrs.definition`: the last 24 hours, 0 none, 10 worst). A copyright
instrument (the DLQI) is worded only from the licensed centre's file
(:func:`clears.registry.surveys.licensed_wording`), never here.

References
----------
Guo LN, et al. Lupus Sci Med 2021;8(1):e000529. doi:10.1136/lupus-2021-000529.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

__all__ = ["LANGUAGE_NAMES", "QUESTIONS", "TEXT"]

#: Each language's name, in that language (for the chooser).
LANGUAGE_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {"en": "English", "fr": "Français", "es": "Español"}
)

#: Per language, per column: the question, the words at 0 and at 10.
QUESTIONS: Final[Mapping[str, Mapping[str, tuple[str, str, str]]]] = MappingProxyType(
    {
        "en": {
            "ptga": (
                "Overall, how active is your skin disease today?",
                "not active at all",
                "as active as it could be",
            ),
            "itch_nrs": (
                "How bad was the itch of your skin at its worst in the last 24 hours?",
                "no itch",
                "worst itch imaginable",
            ),
            "pain_nrs": (
                "How bad was the pain of your skin at its worst in the last 24 hours?",
                "no pain",
                "worst pain imaginable",
            ),
        },
        "fr": {
            "ptga": (
                "Dans l'ensemble, à quel point votre maladie de peau est-elle active aujourd'hui ?",
                "pas du tout active",
                "aussi active que possible",
            ),
            "itch_nrs": (
                "Au pire, quelle a été l'intensité des démangeaisons de votre peau au cours "
                "des dernières 24 heures ?",
                "aucune démangeaison",
                "pires démangeaisons imaginables",
            ),
            "pain_nrs": (
                "Au pire, quelle a été l'intensité de la douleur de votre peau au cours des "
                "dernières 24 heures ?",
                "aucune douleur",
                "pire douleur imaginable",
            ),
        },
        "es": {
            "ptga": (
                "En general, ¿cuán activa está hoy su enfermedad de la piel?",
                "nada activa",
                "lo más activa posible",
            ),
            "itch_nrs": (
                "En su peor momento, ¿cuánto picor ha tenido en la piel en las últimas 24 horas?",
                "ningún picor",
                "el peor picor imaginable",
            ),
            "pain_nrs": (
                "En su peor momento, ¿cuánto dolor ha tenido en la piel en las últimas 24 horas?",
                "ningún dolor",
                "el peor dolor imaginable",
            ),
        },
    }
)

#: Per language: the page's other words.
TEXT: Final[Mapping[str, Mapping[str, str]]] = MappingProxyType(
    {
        "en": {
            "title": "Your skin questionnaire",
            "intro": "For your visit of {date}. Choose one number for each question.",
            "scale": "0 to 10",
            "submit": "Send my answers",
            "skip": "You may leave a question unanswered.",
            "thanks": "Thank you. Your answers were sent to your care team.",
            "gone": "This link can no longer be used. Please ask your care team for a new one.",
            "locked": (
                "Your answers could not be saved: this visit's record is closed. "
                "Please tell your care team."
            ),
            "fix": "Please check the answers marked below.",
            "stale": "The page had expired. Your choices are kept: please send them again.",
            "language": "Language",
            "change": "Change",
        },
        "fr": {
            "title": "Votre questionnaire sur la peau",
            "intro": "Pour votre consultation du {date}. Choisissez un chiffre par question.",
            "scale": "de 0 à 10",
            "submit": "Envoyer mes réponses",
            "skip": "Vous pouvez laisser une question sans réponse.",
            "thanks": "Merci. Vos réponses ont été transmises à votre équipe soignante.",
            "gone": (
                "Ce lien ne peut plus être utilisé. Demandez-en un nouveau à votre équipe "
                "soignante."
            ),
            "locked": (
                "Vos réponses n'ont pas pu être enregistrées : le dossier de cette "
                "consultation est clos. Prévenez votre équipe soignante."
            ),
            "fix": "Vérifiez les réponses signalées ci-dessous.",
            "stale": "La page avait expiré. Vos choix sont conservés : renvoyez-les.",
            "language": "Langue",
            "change": "Changer",
        },
        "es": {
            "title": "Su cuestionario sobre la piel",
            "intro": "Para su consulta del {date}. Elija un número para cada pregunta.",
            "scale": "de 0 a 10",
            "submit": "Enviar mis respuestas",
            "skip": "Puede dejar una pregunta sin responder.",
            "thanks": "Gracias. Sus respuestas se han enviado a su equipo médico.",
            "gone": ("Este enlace ya no se puede usar. Pida uno nuevo a su equipo médico."),
            "locked": (
                "No se han podido guardar sus respuestas: el registro de esta consulta está "
                "cerrado. Avise a su equipo médico."
            ),
            "fix": "Revise las respuestas señaladas abajo.",
            "stale": "La página había caducado. Sus respuestas se conservan: envíelas de nuevo.",
            "language": "Idioma",
            "change": "Cambiar",
        },
    }
)
