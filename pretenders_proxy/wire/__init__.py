"""What the control API sends and its client reads: pydantic models both sides import.

Neither side's framework is here (no aiohttp, no httpx), so the client needs nothing of the server.
"""
