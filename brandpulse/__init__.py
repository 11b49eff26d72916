"""brandpulse: brand social listening from public sources (Reddit, news and blog feeds)."""

__version__ = "0.1.0"
