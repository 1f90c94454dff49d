#!/usr/bin/env bash
# Build the front end, upload it to the S3 bucket with cache headers, and
# invalidate CloudFront. Run from anywhere inside the repository.
#
#   eval "$(terraform -chdir=deploy/terraform output -raw deploy_env)"
#   deploy/scripts/deploy-frontend.sh [--dry-run] [--skip-build] [--wait]
set -euo pipefail

readonly SCRIPT_NAME="deploy-frontend.sh"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly REPO_ROOT

usage() {
  cat <<USAGE
Usage: $SCRIPT_NAME [--dry-run] [--skip-build] [--wait] [--help]

Builds the front end (npm run build --workspace @rnb/web), uploads it to
s3://\$FRONTEND_BUCKET and invalidates CloudFront distribution
\$CLOUDFRONT_DISTRIBUTION_ID.
  Hashed files under assets/ are cached for a year (immutable); everything
  else (index.html) is revalidated on every load, so a deploy shows at once.
  Old assets stay in the bucket: pages already open still load them.

  --dry-run     print the commands instead of running them (checks variables)
  --skip-build  upload the existing build (\$FRONTEND_DIST, default app/web/dist)
  --wait        wait until the invalidation has completed

Required environment (printed by: terraform output -raw deploy_env):
  AWS_REGION, FRONTEND_BUCKET, CLOUDFRONT_DISTRIBUTION_ID
USAGE
}

die() {
  echo "$SCRIPT_NAME: error: $*" >&2
  exit 2
}

DRY_RUN=0
SKIP_BUILD=0
WAIT=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --skip-build) SKIP_BUILD=1 ;;
    --wait) WAIT=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      die "unknown argument: $1"
      ;;
  esac
  shift
done

missing=()
for var in AWS_REGION FRONTEND_BUCKET CLOUDFRONT_DISTRIBUTION_ID; do
  if [[ -z "${!var:-}" ]]; then
    missing+=("$var")
  fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  die "missing required environment variable(s): ${missing[*]}
  Set them from Terraform's outputs:
    eval \"\$(terraform -chdir=deploy/terraform output -raw deploy_env)\""
fi

if [[ ! "$FRONTEND_BUCKET" =~ ^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$ ]]; then
  die "FRONTEND_BUCKET must be a bucket name (no s3:// prefix), got: $FRONTEND_BUCKET"
fi
if [[ ! "$CLOUDFRONT_DISTRIBUTION_ID" =~ ^[A-Z0-9]{8,20}$ ]]; then
  die "CLOUDFRONT_DISTRIBUTION_ID must be a distribution ID such as E2ABCDEF123456, got: $CLOUDFRONT_DISTRIBUTION_ID"
fi

DIST="${FRONTEND_DIST:-$REPO_ROOT/app/web/dist}"
readonly DIST

if [[ $DRY_RUN -eq 0 ]]; then
  for cmd in aws npm; do
    command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is not installed or not on PATH"
  done
fi

run() {
  if [[ $DRY_RUN -eq 1 ]]; then
    printf '+'
    printf ' %q' "$@"
    printf '\n'
  else
    "$@"
  fi
}

step() { echo "==> $*" >&2; }

if [[ $SKIP_BUILD -eq 0 ]]; then
  step "building the front end"
  run npm --prefix "$REPO_ROOT" run build --workspace @rnb/web
fi

if [[ $DRY_RUN -eq 0 || $SKIP_BUILD -eq 1 ]]; then
  [[ -f "$DIST/index.html" ]] || die "no build at $DIST (index.html missing); run without --skip-build or set FRONTEND_DIST"
fi

readonly BUCKET_URL="s3://$FRONTEND_BUCKET"

# Assets first: a new index.html must never reference files not yet uploaded.
if [[ -d "$DIST/assets" || $DRY_RUN -eq 1 ]]; then
  step "uploading hashed assets"
  run aws s3 sync "$DIST/assets" "$BUCKET_URL/assets" --region "$AWS_REGION" \
    --cache-control "public, max-age=31536000, immutable" --only-show-errors
fi

step "uploading index.html and the other files"
run aws s3 sync "$DIST" "$BUCKET_URL" --region "$AWS_REGION" --exclude "assets/*" \
  --cache-control "no-cache" --delete --only-show-errors

step "invalidating CloudFront distribution $CLOUDFRONT_DISTRIBUTION_ID"
if [[ $DRY_RUN -eq 1 ]]; then
  run aws cloudfront create-invalidation --distribution-id "$CLOUDFRONT_DISTRIBUTION_ID" --paths "/*"
  invalidation_id="<invalidation>"
else
  invalidation_id="$(aws cloudfront create-invalidation --distribution-id "$CLOUDFRONT_DISTRIBUTION_ID" \
    --paths "/*" --query 'Invalidation.Id' --output text)"
fi

if [[ $WAIT -eq 1 ]]; then
  step "waiting for invalidation $invalidation_id"
  run aws cloudfront wait invalidation-completed --distribution-id "$CLOUDFRONT_DISTRIBUTION_ID" --id "$invalidation_id"
fi

step "front end deployed to $BUCKET_URL"
