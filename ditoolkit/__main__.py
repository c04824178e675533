"""``python -m ditoolkit``: see :mod:`ditoolkit.cli`."""

from ditoolkit.cli import main

raise SystemExit(main())
