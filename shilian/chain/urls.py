from django.urls import path

from shilian.chain.views import lots, production, recalls, receiving, regulator, shipping, stock, tracing

app_name = "chain"

urlpatterns = [
    # operators: /w/ acts for the enterprise picked this session
    path("w/", stock.dashboard, name="dashboard"),
    path("w/receive/", receiving.receive, name="receive"),
    path("w/receive/shipments/<int:pk>/", receiving.receive_shipment, name="receive_shipment"),
    path("w/produce/", production.produce, name="produce"),
    path("w/ship/", shipping.ship, name="ship"),
    path("w/lots/<int:pk>/", lots.operator_lot, name="operator_lot"),
    path("w/events/<int:pk>/void/", lots.void, name="void_event"),
    path("documents/<int:pk>/", lots.document, name="document"),
    # inspectors: /r/ within their jurisdiction subtree
    path("r/lots/", regulator.find_lot_page, name="find_lot"),
    path("r/lots/<int:pk>/", lots.inspector_lot, name="inspector_lot"),
    path("r/enterprises/<int:pk>/", regulator.enterprise_detail, name="enterprise_detail"),
    path("r/trace/", tracing.trace_page, name="trace"),
    path("r/recalls/", recalls.recall_list, name="recall_list"),
    path("r/recalls/new/", recalls.recall_start, name="recall_start"),
    path("r/recalls/<int:pk>/", recalls.recall_detail, name="recall_detail"),
    path("r/recalls/<int:pk>/notice.<str:fmt>", recalls.recall_notice, name="recall_notice"),
]
