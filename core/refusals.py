"""The one family of refusals: the back office will not do what was asked, and says why.

Every refusal carries ``message``, written for whoever asked (an operator, in the active
language; the marketplace, in the protocol's English) and, where a program reads the answer,
a ``code``. Each app's refusals are subclasses, so a caller can catch the one it expects or,
at a boundary, any ``Refused``; a 500 is never the answer to a request the code refuses.
"""

from __future__ import annotations


class Refused(Exception):
    def __init__(self, message: object, *, code: str = "") -> None:
        super().__init__(str(message))
        self.code = code

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else ""


class ActionRefused(Refused):
    """An operator's action (a button, a list action, a form, a file's row) is not done: the
    back office will not ask VTEX for it."""
