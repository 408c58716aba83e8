"""The data model and where the data come from: schema, loaded portfolio, boundaries, demo."""
