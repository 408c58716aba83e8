"""Getting returns in: reading files, recognising ledgers, checking, importing into the store."""
