"""Attaching checked files to an event."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from shilian.chain.actions.ledger import note_documents
from shilian.chain.documents import CheckedFile
from shilian.chain.models import Document, TraceEvent

EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp"}


@dataclass(frozen=True)
class Attachment:
    """A checked file and what it is: the action's input for one document."""

    kind: str
    file: CheckedFile
    number: str = ""


def attach(event: TraceEvent, attachments: Iterable[Attachment]) -> list[Document]:
    documents = []
    for item in attachments:
        document = Document(
            event=event,
            enterprise_id=event.enterprise_id,
            kind=item.kind,
            number=item.number,
            original_name=item.file.name,
            content_type=item.file.content_type,
            size=item.file.size,
            sha256=item.file.sha256,
        )
        # Content-addressed: a rolled-back transaction leaves at most a file that the
        # same upload would reuse, never a row without its file.
        extension = EXTENSIONS.get(item.file.content_type, "bin")
        path = f"documents/{item.file.sha256[:2]}/{item.file.sha256}.{extension}"
        if not default_storage.exists(path):
            path = default_storage.save(path, ContentFile(item.file.data))
        document.file.name = path
        document.save()
        documents.append(document)
    note_documents(event, documents)
    return documents
