"""Synthetic demo data for the VUM gateway."""
