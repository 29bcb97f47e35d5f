"""statuspage: a self-hosted incident status page and crisis-communications kit."""

__version__ = "0.1.0"
