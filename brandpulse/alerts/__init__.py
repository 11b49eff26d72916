"""Alerts and digests: render messages (pure), queue them in the outbox, deliver them (network)."""
