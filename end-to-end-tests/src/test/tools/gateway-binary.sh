#!/bin/sh
# The API gateway's binary for DeploymentMetricsIT: nginx from the machine, else the distribution's nginx package
# unpacked into DIR (apt-get download + dpkg-deb: no root, no service started). Prints nothing and exits 0 either way:
# without a binary the test checks the routes against the OpenAPI paths only, and says so.
# Usage: gateway-binary.sh DIR
set -u
dir=$1
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || [ -x "$dir/usr/sbin/nginx" ]; then
    exit 0
fi
if ! command -v apt-get >/dev/null 2>&1 || ! command -v dpkg-deb >/dev/null 2>&1; then
    exit 0
fi
mkdir -p "$dir/download" && cd "$dir/download" || exit 0
if apt-get download -q nginx >/dev/null 2>&1; then
    dpkg-deb -x nginx_*.deb .. >/dev/null 2>&1 || true
fi
exit 0
