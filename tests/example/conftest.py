# The project/ folder is a user's test suite: its tests run in their own pytest (see
# test_example_project.py), against a real upstream, not as part of this suite.
collect_ignore = ["project"]
