"""`python -m wikioauth <command>`: Django's manage.py for the stand-in OAuth server."""

import os
import sys

from django.core.management import execute_from_command_line

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "wikioauth.settings")
    execute_from_command_line(["python -m wikioauth", *sys.argv[1:]])
