"""The one-loop server process: the Runtime its parts share, start-up, background tasks, the
garbage collector kept off the request path, and listener helpers. Only `process` (the Server
that runs mitmproxy, the control API and SMTP together) imports a framework."""
