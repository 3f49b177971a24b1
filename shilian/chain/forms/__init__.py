"""Forms of the chain pages: they check input at the edge; the actions enforce the rules."""
