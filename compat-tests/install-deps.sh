#!/usr/bin/env bash
# install-deps.sh installs what the compat tests and bench need on Debian 12:
# PostgreSQL 15 (server + client, for golden tests, psql tests and bench)
# and the system Python's psycopg2, psycopg 3, Flask and SQLAlchemy.
#
# Idempotent: when every package is already installed it does nothing and
# never touches apt (so it is fast on a warm machine). Needs root (or sudo)
# only when something is missing.
set -euo pipefail

PKGS=(postgresql-15 postgresql-client-15 python3-psycopg2 python3-psycopg python3-flask python3-sqlalchemy)

missing=()
for p in "${PKGS[@]}"; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	if [[ "$status" != "install ok installed" ]]; then
		missing+=("$p")
	fi
done

if ((${#missing[@]} == 0)); then
	echo "install-deps: all ${#PKGS[@]} packages already installed"
	exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# policy-rc.d keeps the Debian package from starting a cluster service we
# do not use (the tests start their own scratch clusters).
if [[ ! -e /usr/sbin/policy-rc.d ]]; then
	printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
	$SUDO chmod +x /usr/sbin/policy-rc.d
	trap '$SUDO rm -f /usr/sbin/policy-rc.d' EXIT
fi
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
