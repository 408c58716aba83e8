"""What leaves the app: charts, maps, downloads, documents, decks and agendas."""
