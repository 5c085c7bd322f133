"""The `gridgov` command: Django's manage.py under a name operators can remember.

`gridgov worker` starts the background worker, `gridgov migrate` migrates, and so on.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gridgov.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
