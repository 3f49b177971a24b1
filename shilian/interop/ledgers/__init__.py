"""Workshop ledger import (进货台账 / 销售台账) from XLSX: the template, reading and checking
the upload row by row, and the all-or-nothing import through ``chain.actions.record_batch``.

``columns`` the ledgers and their columns, ``template`` the download, ``reader`` the file and
cells, ``plan`` the rows against the enterprise's records, ``actions`` the import,
``payload`` the signed preview, ``views`` the pages under /w/import/.
"""
