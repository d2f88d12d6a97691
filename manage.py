#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    from config.env import ImproperEnvironment

    try:
        execute_from_command_line(sys.argv)
    except ImproperEnvironment as exc:
        # A malformed variable is an operator's mistake: say which one, without a traceback.
        sys.stderr.write(f"Jingli cannot start: {exc}\n")
        sys.exit(2)


if __name__ == "__main__":
    main()
