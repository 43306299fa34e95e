"""python3 -m hotpath_check, and the zipapp's entry point."""
from hotpath_check.cli import entry

entry()
