"""Virus scanning of uploaded files: the FileScanner interface and its clamd implementation."""
