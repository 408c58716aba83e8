"""The database: every table, the row-versioned store of batches, the audit trail, migrations,
and the data sources the pages read (the imported data at any batch, a folder, the demo)."""
