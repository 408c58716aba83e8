"""Everything computed from the data: scopes, measures, statuses, alerts, rankings, texts."""
