"""Python clients: the pretenders 1.4 ones (`http`, `smtp`) and the v1 one (`v1`, `mail`).

They import nothing of the server (tests/test_layering.py): they may run on another machine.
"""
