"""Python clients: the pretenders 1.4 ones (`http`, `smtp`) and the v1 one (`v1`, `mail`; `aio`
its async twin, both running the calls of `operations` and `mailcalls`, written once).

They import nothing of the server (tests/test_layering.py): they may run on another machine.
"""
