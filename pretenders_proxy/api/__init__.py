"""The control API: aiohttp application, routes, views and how it is served."""
