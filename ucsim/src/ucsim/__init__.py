"""ucsim: an offline simulator of the Cisco UC APIs collab.uc talks to."""

__version__ = "0.1.0"
