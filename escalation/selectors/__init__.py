"""Reads: one documented function per page, each with its own select/prefetch."""
