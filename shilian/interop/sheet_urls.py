"""Spreadsheet pages: the FSMA 204 sheet (operators /w/fsma/, inspectors /r/fsma/) and the
workshop ledger import (/w/import/)."""

from django.urls import path

from shilian.interop.fsma import views as fsma
from shilian.interop.ledgers import views as ledgers

app_name = "sheets"

urlpatterns = [
    path("w/fsma/", fsma.operator_sheet, name="fsma_operator"),
    path("r/fsma/", fsma.inspector_sheet, name="fsma_inspector"),
    path("w/import/", ledgers.import_index, name="import_index"),
    path("w/import/<str:kind>/template.xlsx", ledgers.import_template, name="import_template"),
    path("w/import/<str:kind>/", ledgers.import_upload, name="import_upload"),
    path("w/import/<str:kind>/confirm/", ledgers.import_confirm, name="import_confirm"),
]
