"""Sunshine URLs: the ingest hooks (video), the pages, and the detection review, each in its own module."""

from shilian.sunshine import detection_urls, hook_urls, page_urls

app_name = "sunshine"

urlpatterns = [*hook_urls.urlpatterns, *page_urls.urlpatterns, *detection_urls.urlpatterns]
