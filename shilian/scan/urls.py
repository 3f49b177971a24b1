from django.urls import path, re_path

from shilian.scan.views import inspector, public, report

app_name = "scan"

urlpatterns = [
    # The resolver: GS1 Digital Link paths and short codes, at the root, as printed in codes.
    re_path(r"^01/", public.resolve, name="resolve_gtin"),
    re_path(r"^t/", public.resolve, name="resolve_short"),
    path(".well-known/gs1resolver", public.resolver_description, name="resolver_description"),
    path("p/report/", report.report, name="report"),
    # inspectors
    path("r/reports/", inspector.report_list, name="reports"),
    path("r/reports/<int:pk>/", inspector.report_detail, name="report_detail"),
    path("r/reports/<int:pk>/photo", inspector.report_photo, name="report_photo"),
    path("r/scans/", inspector.scan_overview, name="scans"),
]
