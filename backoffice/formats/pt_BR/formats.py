"""Django's pt-BR formats with the month in lower case, as Portuguese writes it ("6 de
dezembro de 2026"): ``E`` is the month's "alt. month" name, which the project's catalog
(``locale/``) gives in lower case; Django's ``F`` names are capitalised."""

from django.conf.locale.pt_BR.formats import *  # noqa: F403

DATE_FORMAT = r"j \d\e E \d\e Y"
DATETIME_FORMAT = r"j \d\e E \d\e Y à\s H:i"
YEAR_MONTH_FORMAT = r"E \d\e Y"
MONTH_DAY_FORMAT = r"j \d\e E"
