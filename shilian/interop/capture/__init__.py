"""Capture: EPCIS documents and events into the store and onto the chain."""
