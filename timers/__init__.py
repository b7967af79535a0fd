"""Timers: jobs due at a time, kept in the application's database (docs/jobs.md).

The interface is ``timers.api`` (``from timers import api as timers``); it imports the
models, so import it from code that runs once the apps are loaded (actions, an app's
``ready()``), never at this package's import time.
"""
