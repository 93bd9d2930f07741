"""``python -m climatevis`` — the command line (see :mod:`climatevis.cli`)."""

from climatevis.cli import main

raise SystemExit(main())
