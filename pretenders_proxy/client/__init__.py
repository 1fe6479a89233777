"""Python clients: the pretenders 1.4 `HTTPMock` (and, later, the v1 client)."""
