"""Sanctions versus releases analysis suite."""
