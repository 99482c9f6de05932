"""Writes that span models: keyword-only, atomic, validated."""
