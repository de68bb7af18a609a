#!/bin/sh
# Installs the validators pinned in package-lock.json, once per build directory (npm ci wipes node_modules first).
set -e
if [ -f node_modules/.installed ] && cmp -s package-lock.json node_modules/.installed; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "npm (Node.js 18 or newer) is needed to install the schema validators of deployment-tests" >&2
    exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json node_modules/.installed
