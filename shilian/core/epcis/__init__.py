"""GS1 EPCIS 2.0 / CBV 2.0 as pure functions (no Django models), for every app to use.

- ``identifiers`` — EPC URN ⇄ GS1 Digital Link, ``canonical_epc`` for matching, lot helpers.
- ``hashing`` — the CBV 2.0 event hash ID (``event_hash``, ``prehash``, ``document_hashes``).
- ``validation`` — ``validate_document`` / ``validate_event`` → ``Problem`` (JSON Schema and beyond).
- ``cbv`` — the CBV vocabularies as data.
"""
