"""Credentials out of everything planbench records or prints.

A key can ride inside an endpoint's URL (``http://user:KEY@host/v1``, ``?key=KEY``,
``&api_key=KEY``), and an endpoint's error message may quote that URL, or the key it
refused. :func:`redact` is the one function every place that records or prints a URL or an
endpoint's message goes through: run.json, responses.jsonl, scores.csv, reports and the
console.
"""

from __future__ import annotations

import re

MARK = "[redacted]"
KEY_MARK = "[API key]"
# scheme://user:password@host -> scheme://[redacted]@host (a user name alone can be a key too)
_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.\-]*://)[^\s/@?#'\"<>]+@")
# an API key where it shows by its shape: OpenAI-style "sk-..." keys, a bearer token
_KEY = re.compile(r"\b(?:sk-[A-Za-z0-9_\-]{3,}|Bearer\s+[^\s'\"]+)")
# ?key=..., &api_key=..., ;token=... (and kin) in a URL's query
_PARAMETER = re.compile(r"(?i)([?&;](?:[a-z0-9_\-]*(?:key|token|secret|password|passwd|pwd|auth|signature|sig|"
                        r"credential|session)[a-z0-9_\-]*)=)[^&#\s'\"<>]*")


def redact(text: str | None, *secrets: str | None) -> str | None:
    """``text`` with credentials in URLs replaced by ``[redacted]``, and each of ``secrets``
    (the API key read from the environment) wherever it appears, and anything shaped like
    a key (``sk-...``, ``Bearer ...``), by ``[API key]``. None stays None."""
    if not text:
        return text
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, KEY_MARK)
    text = _PARAMETER.sub(lambda m: m.group(1) + MARK, _USERINFO.sub(lambda m: m.group(1) + MARK + "@", text))
    return _KEY.sub(KEY_MARK, text)


def has_credentials(url: str | None) -> bool:
    """Whether a URL carries a credential :func:`redact` takes out."""
    return bool(url) and redact(url) != url
