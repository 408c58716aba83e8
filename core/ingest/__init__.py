"""Getting returns in: reading files, recognising ledgers, checking, importing, the store."""
