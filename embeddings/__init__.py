"""Embeddings and nearest-neighbour search for graphcat's catalog. Imports nothing from graphcat."""
