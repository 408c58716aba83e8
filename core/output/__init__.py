"""What leaves the app: number formats, charts, maps, downloads, documents."""
