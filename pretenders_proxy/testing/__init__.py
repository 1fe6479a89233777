"""For tests of apps that use pretenders: the pytest plugin (entry point `pytest11`) and the
launcher that starts a real server process on free ports."""
