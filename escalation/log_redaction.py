"""No feed token in the portal's own logs (a filter on the log handler, `LOGGING` in settings).

Feed tokens travel in `?token=` (calendar apps cannot send headers) and in `Authorization:
Bearer` headers. A request line the development server logs, or an error report that quotes an
address, would write the token down; this filter replaces it wherever a record carries it.
Loaded with the settings, before the apps: it imports nothing of the portal's.
"""

import logging
import re

REDACTED = "[redacted]"
# "token=…" in a query string, also percent-encoded (as inside a next=…), and the credentials
# of a Bearer authorization.
_TOKEN_IN_TEXT = re.compile(r"((?:^|[?&;\s]|%3F|%26)token(?:=|%3D))[^&\s\"'#;%]+", re.IGNORECASE)
_BEARER_IN_TEXT = re.compile(r"(\bBearer\s+)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)


def redact_tokens(text: str) -> str:
    """`text` with every feed token it carries (`token=…`, `Bearer …`) replaced."""
    text = _TOKEN_IN_TEXT.sub(lambda m: m.group(1) + REDACTED, text)
    return _BEARER_IN_TEXT.sub(lambda m: m.group(1) + REDACTED, text)


class RedactFeedTokens(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
