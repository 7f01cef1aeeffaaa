"""Media types of request bodies, parsed as RFC 9110 defines them (not by looking for "json")."""

from __future__ import annotations

from email.message import Message


def is_json(content_type: str | None) -> bool:
    """Whether a Content-Type names JSON: `application/json` or `application/*+json`, in UTF-8.

    `text/plain; charset=json` is plain text; an unparseable value is not JSON either.
    """
    if not content_type:
        return False
    header = Message()
    header["content-type"] = content_type
    maintype, subtype = header.get_content_maintype(), header.get_content_subtype()
    charset = header.get_param("charset")
    if charset is not None and str(charset).lower() not in ("utf-8", "utf8"):
        return False  # JSON travels in UTF-8 (RFC 8259)
    return maintype == "application" and (subtype == "json" or subtype.endswith("+json"))
