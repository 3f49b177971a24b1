"""The EPCIS 2.0 REST binding under /epcis/: plain views (the binding has its own OpenAPI,
pipe-delimited list parameters and parameter names built from vocabulary words)."""
