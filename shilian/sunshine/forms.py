"""Forms of the camera, patrol and finding pages: bad input becomes a field error here."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shilian.chain import photos
from shilian.sunshine.actions.cameras import CameraSpec, without_password
from shilian.sunshine.actions.patrols import RANDOM_MAX, ReplyPhoto
from shilian.sunshine.choices import WEEKDAYS, ChecklistItem, FindingResult, Ingest, Room
from shilian.sunshine.models import Camera


class CameraForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example: processing room, north wall"))
    room = forms.ChoiceField(label=_("Room"), choices=Room.choices)
    ingest = forms.ChoiceField(label=_("How video arrives"), choices=Ingest.choices, widget=forms.RadioSelect)
    source_url = forms.CharField(
        label=_("RTSP address (pull only)"),
        max_length=500,
        required=False,
        help_text=_(
            "rtsp://user:password@address:554/… of the camera's H.264 sub-stream, reachable from the platform. "
            "A saved password shows as ***: leave it so to keep it."
        ),
    )
    work_days = forms.MultipleChoiceField(
        label=_("Working days"), choices=WEEKDAYS, widget=forms.CheckboxSelectMultiple
    )
    work_start = forms.TimeField(label=_("Working hours from"), widget=forms.TimeInput(attrs={"type": "time"}))
    work_end = forms.TimeField(
        label=_("until"),
        widget=forms.TimeInput(attrs={"type": "time"}),
        help_text=_("An end before the start is a night shift; the same time as the start means around the clock."),
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False)
    public = forms.BooleanField(
        label=_("Consumers may watch (during working hours)"),
        required=False,
        help_text=_("Inspectors of your area can always watch."),
    )
    staffed = forms.BooleanField(label=_("A workstation that should be staffed during working hours"), required=False)
    analyses = forms.BooleanField(
        label=_("Assistive detection (masks, empty workstation, movement after hours)"), required=False
    )
    recording = forms.BooleanField(label=_("Record"), required=False)

    @classmethod
    def initial_for(cls, camera: Camera | None) -> dict[str, Any]:
        spec = CameraSpec(name="") if camera is None else spec_of(camera)
        values = {name: getattr(spec, name) for name in cls.base_fields}
        values["work_days"] = list(spec.work_days)
        values["source_url"] = without_password(spec.source_url)  # the page never shows the password
        return values

    def spec(self) -> CameraSpec:
        data = dict(self.cleaned_data)
        data["work_days"] = "".join(data["work_days"])
        return CameraSpec(**data)


def spec_of(camera: Camera) -> CameraSpec:
    return CameraSpec(**{name: getattr(camera, name) for name in CameraSpec.__dataclass_fields__})


class PatrolForm(forms.Form):
    jurisdiction = forms.ChoiceField(label=_("Area"))
    enterprises = forms.MultipleChoiceField(label=_("Workshops"), required=False, widget=forms.CheckboxSelectMultiple)
    random_count = forms.IntegerField(
        label=_("Or draw this many at random"),
        required=False,
        min_value=0,
        max_value=RANDOM_MAX,
        help_text=_("双随机: the system picks workshops with cameras in the area."),
    )

    def __init__(self, *args: Any, jurisdictions: list[Any], enterprises: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["jurisdiction"]).choices = [
            (j.code, f"{j.name} {j.code}") for j in jurisdictions
        ]
        cast(forms.ChoiceField, self.fields["enterprises"]).choices = [
            (str(e.pk), f"{e.name} · {e.jurisdiction.name}") for e in enterprises
        ]


class FindingForm(forms.Form):
    enterprise = forms.IntegerField(widget=forms.HiddenInput)
    camera = forms.IntegerField(widget=forms.HiddenInput, required=False)
    snapshot = forms.IntegerField(widget=forms.HiddenInput, required=False)
    item = forms.ChoiceField(label=_("Checklist item"), choices=ChecklistItem.choices)
    result = forms.ChoiceField(label=_("Result"), choices=FindingResult.choices, widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("What was seen"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    deadline = forms.DateField(
        label=_("Fix by"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Needed for an issue."),
    )


class AnswerForm(forms.Form):
    photo = forms.FileField(label=_("Photo of the fix (up to 5 MB)"))
    note = forms.CharField(
        label=_("What was done"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def clean_photo(self) -> ReplyPhoto:
        try:
            return check_photo(self.cleaned_data["photo"])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from None


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(choices=[("close", _("Close")), ("reopen", _("Send back"))], widget=forms.HiddenInput)
    note = forms.CharField(label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    deadline = forms.DateField(
        label=_("New deadline (optional)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class UptimeForm(forms.Form):
    days = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        required=False,
        empty_value=None,
        choices=[(7, _("7 days")), (14, _("14 days")), (30, _("30 days"))],
    )

    def period(self) -> tuple[dt.date, dt.date]:
        days = (self.cleaned_data.get("days") if self.is_valid() else None) or 14
        end = timezone.localdate()
        return end - dt.timedelta(days=days - 1), end


def check_photo(file: Any) -> ReplyPhoto:
    """Read and check one upload (``chain.photos``: an image by its first bytes, under 5 MB); ValueError otherwise."""
    photo = photos.check_photo(file)
    return ReplyPhoto(content_type=photo.content_type, sha256=photo.sha256, data=photo.data, extension=photo.extension)
