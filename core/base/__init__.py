"""The bottom layer: the schema, periods, number and cell formats, value parsing, and the
office settings (read-only). Imports nothing else of core."""
