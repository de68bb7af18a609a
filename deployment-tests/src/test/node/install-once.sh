#!/bin/sh
# Installs the validators pinned in package-lock.json, once per build directory (npm ci wipes node_modules first).
set -e
# docker-compose 1.x from the distribution, for ComposeFileTest's `docker-compose config -q`, where this build may
# install packages (root with apt-get); elsewhere that check reports itself skipped
if ! command -v docker-compose >/dev/null 2>&1 && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends docker-compose >/dev/null 2>&1 \
        || echo "docker-compose could not be installed: ComposeFileTest skips docker-compose config -q" >&2
fi
if [ -f node_modules/.installed ] && cmp -s package-lock.json node_modules/.installed; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "npm (Node.js 18 or newer) is needed to install the schema validators of deployment-tests" >&2
    exit 1
fi
npm ci --no-audit --no-fund --loglevel=error
cp package-lock.json node_modules/.installed
