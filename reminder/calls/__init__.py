"""Call and Do Not Disturb detection: while either is on, prompts wait.

- base.py: the CallSource protocol and CallState.
Nothing here records or keeps anything about a call but whether one is on.
"""
