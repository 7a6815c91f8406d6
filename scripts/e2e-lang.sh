#!/usr/bin/env bash
# e2e-lang.sh PGTAIL_BINARY: scripts/e2e-real.sh on servers that log in German
# and in Russian (lc_messages; Russian translates the severity words too:
# СООБЩЕНИЕ, ВАЖНО, ПОДРОБНОСТИ). Every refusal category, a fast restart and a
# crash; pgtail's totals, active counts and failures must equal the script's
# own counts and pg_stat_activity. Generates the two locales when missing.
set -euo pipefail
[[ $# -eq 1 ]] || { echo "usage: $0 PGTAIL_BINARY" >&2; exit 1; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

if ! command -v localedef >/dev/null; then
  echo "e2e-lang: installing locales" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq locales >&2
fi
for loc in de_DE ru_RU; do
  if ! locale -a | grep -qx "$loc.utf8"; then
    echo "e2e-lang: generating $loc.UTF-8" >&2
    localedef -i "$loc" -f UTF-8 "$loc.UTF-8"
  fi
done

for loc in de_DE.UTF-8 ru_RU.UTF-8; do
  printf '\n##### lc_messages = %s\n' "$loc"
  PG_LANG=$loc bash "$HERE/e2e-real.sh" "$1"
done
echo "e2e-lang: PASS"
