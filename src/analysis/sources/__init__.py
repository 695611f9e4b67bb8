"""Readers and cleaners, one module per source family."""
