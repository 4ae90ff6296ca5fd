"""The bundled executable's entry point: the same `mpsystem` command as the installed one."""

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
