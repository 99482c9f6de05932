"""British English with the 24-hour clock everywhere, as the portal's own pages write times:
the admin's lists, its read-only fields and the times it accepts (Django's own `en_GB` writes
`9 a.m.`)."""

TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
TIME_INPUT_FORMATS = ["%H:%M:%S", "%H:%M:%S.%f", "%H:%M"]
