"""The two ways a code reaches the receiving page: a photo, or text a scanner typed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shilian.codes.digital_link import CodeKey
from shilian.codes.scanning.decode import MAX_TEXT, ScanError, decode_photo, key_from_text

EMPTY_PHOTO = "请拍照或选择一张照片 / take or choose a photo"


class PhotoForm(forms.Form):
    """A photo of the code, decoded on the server (every phone browser can send one)."""

    photo = forms.FileField(
        label=_("Photo of the code"),
        error_messages={"required": EMPTY_PHOTO, "empty": EMPTY_PHOTO, "invalid": EMPTY_PHOTO},
        widget=forms.FileInput(attrs={"accept": "image/*", "capture": "environment"}),
    )

    def clean_photo(self) -> list[CodeKey]:
        """The distinct shilian/GS1 codes in the photo; the first reading's error when none is."""
        upload = self.cleaned_data["photo"]
        try:
            texts = decode_photo(upload, upload.size)
        except ScanError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
        keys: list[CodeKey] = []
        first_error: ScanError | None = None
        for text in texts:
            try:
                key = key_from_text(text)
            except ScanError as exc:
                first_error = first_error or exc
                continue
            if key not in keys:
                keys.append(key)
        if not keys:
            assert first_error is not None  # decode_photo gives at least one text
            raise forms.ValidationError(first_error.message, code=first_error.code)
        return keys


class CodeForm(forms.Form):
    """A code typed or pasted, or typed by a USB/Bluetooth scanner gun (text + Enter)."""

    code = forms.CharField(
        label=_("Or type / scan the code"),
        max_length=MAX_TEXT,
        error_messages={"required": "请扫码或输入追溯码 / scan or type a code"},
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "off", "spellcheck": "false", "enterkeyhint": "go"}
        ),
    )

    def clean_code(self) -> CodeKey:
        try:
            return key_from_text(self.cleaned_data["code"])
        except ScanError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None
