"""Transports: how requests reach a node (``https.py``; ``ssh.py`` for the platform CLI).

All of them record into one request log and one set of counters and ask one fault injection: ``core.py``.
"""
