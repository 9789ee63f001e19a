#!/usr/bin/env bash
# Creates the conformance virtualenv (target/conformance-venv) with the
# pinned tools of conformance/requirements.txt. Idempotent: a venv built
# from the same requirements file is reused. Needs python3 with its venv
# module; everything else comes from PyPI.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${CONFORMANCE_VENV:-target/conformance-venv}
req=conformance/requirements.txt
want=$(sha256sum "$req" | cut -d' ' -f1)
stamp=$venv/.requirements.sha256

if [[ -x $venv/bin/python && -f $stamp && $(cat "$stamp") == "$want" ]]; then
  echo "reusing $venv ($req unchanged)"
  exit 0
fi
rm -rf "$venv"
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req"
echo "$want" >"$stamp"
"$venv/bin/python" -c 'import apivideo, schemathesis, requests, yaml; print("apivideo", apivideo.__version__)'
"$venv/bin/schemathesis" --version
