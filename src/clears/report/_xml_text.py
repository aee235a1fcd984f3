"""Text an Office document can hold: XML 1.0 has no place for most control characters.

Word (python-docx) and Excel (openpyxl) files are XML; a control character in a cell (an
adverse-event term pasted with a stray form feed, say) makes the writer refuse the whole
document. Such characters are shown as U+FFFD, the replacement character, so the document
is written and the odd cell is visible.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["XML_ILLEGAL", "xml_text"]

#: Control characters XML 1.0 cannot hold (tab, line feed and carriage return it can).
XML_ILLEGAL: Final = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xml_text(value: object) -> str:
    """``value`` as text with every character XML 1.0 cannot hold shown as U+FFFD.

    Examples
    --------
    >>> xml_text("rash\\x0c")
    'rash\\ufffd'
    >>> xml_text(3)
    '3'
    """
    return XML_ILLEGAL.sub("\ufffd", str(value))
