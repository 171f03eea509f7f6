"""Page shells: header, footer, width and metadata shared by groups of pages."""
