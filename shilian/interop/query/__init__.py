"""Reading the store: the EPCIS query language over ``GET /epcis/events`` (parameters,
paging) and the EPCISQueryDocument the answers are written in."""
