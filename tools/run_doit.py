"""Run doit on dodo.py, skipping its plugin discovery.

doit scans the entry points of every installed distribution (about 400 in the
dev environment) on each start to find plugins; this project uses none, and
skipping the scan saves a noticeable part of a no-op `just export`.
Equivalent to `python -m doit ...` otherwise.
"""

import sys

from doit import plugin
from doit.cmd_base import DodoTaskLoader
from doit.doit_cmd import DoitMain

plugin.PluginDict._from_entry_points = lambda self, category: {}

if __name__ == "__main__":
    sys.exit(DoitMain(DodoTaskLoader()).run(sys.argv[1:]))
