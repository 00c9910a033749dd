"""``python -m regcourse``: the same command as ``regcourse``."""

from regcourse.cli import main

raise SystemExit(main())
