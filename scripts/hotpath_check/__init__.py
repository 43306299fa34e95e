"""hotpath_check: the CI gate over hotpath reports, as a package.

The installed command `hotpath-check` is this package made into one file (a zipapp, by make); from
the source tree, scripts/hotpath-check runs it in place. Standard library only: it must run on any
CI image with a python3.

Modules: model (the report, frame and process records), sites (which frame names a violation),
textlog and jsonlog (the readers of the sentinel's two formats), inputs (files and directories),
merge (counts over processes), out_text, out_github, out_sarif, out_junit (one per output format),
cli (the command line).
"""

VERSION = "0.1.0"  # the Makefile's VERSION (hotpath.pc's); the installed copy gets it from make
PROG = "hotpath-check"
