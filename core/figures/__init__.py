"""Everything computed from the data: periods, scopes, measures, statuses, texts."""
