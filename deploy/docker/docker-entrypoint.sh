#!/bin/sh
# Container entrypoint. ECS injects secrets as whole variables, so Redis's AUTH
# token arrives in REDIS_AUTH_TOKEN while REDIS_URL (from Terraform) has no
# password: join them here, percent-encoded, and keep the token out of the
# environment the server (and its kernels) inherit.
set -eu

if [ -n "${REDIS_AUTH_TOKEN:-}" ]; then
  if [ -z "${REDIS_URL:-}" ]; then
    echo "docker-entrypoint: REDIS_AUTH_TOKEN is set but REDIS_URL is not; set REDIS_URL (rediss://host:6379) or drop the token." >&2
    exit 64
  fi
  REDIS_URL="$(node -e '
    const u = new URL(process.env.REDIS_URL);
    u.password = process.env.REDIS_AUTH_TOKEN; // URL percent-encodes it
    process.stdout.write(u.toString());
  ')"
  export REDIS_URL
  unset REDIS_AUTH_TOKEN
fi

exec "$@"
