#!/usr/bin/env bash
# Checks docker/compose.yml without a Docker engine: Compose Spec validation (dclint, pinned) and
# every host file or directory the compose file bind-mounts or builds from must exist.
# Usage: docker/validate.sh   (from anywhere; exit 0 = valid)
set -euo pipefail
cd "$(dirname "$0")"

DCLINT_VERSION=3.1.0
COMPOSE=compose.yml

echo "== dclint ${DCLINT_VERSION}: ${COMPOSE} against the Compose Specification"
# -q: errors only (style warnings such as key order are not failures);
# every published port is bound to 127.0.0.1 explicitly, the rule below only flags the syntax
npx --yes "dclint@${DCLINT_VERSION}" "${COMPOSE}" -q --disable-rule no-unbound-port-interfaces

echo "== host paths used by ${COMPOSE}"
missing=0
# short-syntax bind mounts ("- ./path:/container/path[:ro]") and the build context/dockerfile
paths=$(grep -oE '^[[:space:]]*-[[:space:]]*"?\.{1,2}/[^:"]+' "${COMPOSE}" | sed -E 's/^[[:space:]]*-[[:space:]]*"?//')
context=$(grep -oE '^[[:space:]]*context:[[:space:]]*[^[:space:]#]+' "${COMPOSE}" | awk '{print $2}' | sort -u)
for c in ${context}; do
  paths="${paths}"$'\n'"${c}"
  for d in $(grep -oE '^[[:space:]]*dockerfile:[[:space:]]*[^[:space:]#]+' "${COMPOSE}" | awk '{print $2}' | sort -u); do
    paths="${paths}"$'\n'"${c}/${d}"
  done
done
while IFS= read -r p; do
  [ -z "${p}" ] && continue
  if [ -e "${p}" ]; then
    echo "   ok       ${p}"
  else
    echo "   MISSING  ${p} (docker/${p#./})"
    missing=$((missing + 1))
  fi
done <<< "$(printf '%s\n' "${paths}" | sort -u)"

echo "== Dockerfile runs as a non-root user"
user=$(grep -E '^USER[[:space:]]' Dockerfile | tail -1 | awk '{print $2}')
if [ -z "${user}" ] || [[ "${user}" =~ ^(root|0)(:|$) ]]; then
  echo "   Dockerfile: last USER is '${user:-<none>}': the container would run as root" >&2
  missing=$((missing + 1))
else
  echo "   ok       USER ${user}"
fi

if [ "${missing}" -gt 0 ]; then
  echo "docker/validate.sh: ${missing} problem(s): missing paths or a root container" >&2
  exit 1
fi
echo "docker/validate.sh: ${COMPOSE} is valid"
