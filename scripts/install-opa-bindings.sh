#!/bin/sh
# Download the OPA bindings (opa-golib-python-bindings, OPA's Go engine behind ctypes) into
# .cache/opa/ (git-ignored), for scripts/opa_eval.py. CI starts from a clean clone, so it runs
# this first; opa_eval.py would also do it on first use. Prints the folder to put on sys.path.
#
# The wheel is tagged for Python >= 3.14 only but runs on any Python 3, hence the download
# with --python-version 3.14 rather than a pip install. The pin lives in opa_eval.py.
set -eu
exec python3 "$(dirname "$0")/opa_eval.py" --install-bindings
