"""Converters between cassettes and the files other tools use, one small module per format.

Each reads a document into exchanges and writes exchanges out as a stream, noting in `Losses`
what the target format cannot hold. mitmproxy flow files live at the edge (proxy/flowfile.py).
"""
