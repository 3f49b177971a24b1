"""Form fields shared by the apps' pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms


class CheckedField(forms.CharField):
    """An optional identifier: blank stays blank; anything else goes through ``check`` (a
    ``core.identifiers.check_*``), whose normalised value is kept and whose ``ValueError``
    becomes the field's error."""

    def __init__(self, check: Callable[[str], str], **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.check = check

    def clean(self, value: Any) -> str:
        text = str(super().clean(value) or "").strip()
        if not text:
            return ""
        try:
            return self.check(text)
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None
