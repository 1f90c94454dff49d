#!/usr/bin/env bash
# Build the server image, push it to ECR, move the ECS service onto it and wait
# until the service is stable. Run from anywhere inside the repository.
#
#   eval "$(terraform -chdir=deploy/terraform output -raw deploy_env)"
#   deploy/scripts/deploy-backend.sh [--dry-run] [--push-only | --skip-build]
set -euo pipefail

readonly SCRIPT_NAME="deploy-backend.sh"
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
readonly REPO_ROOT

usage() {
  cat <<USAGE
Usage: $SCRIPT_NAME [--dry-run] [--push-only | --skip-build] [--help]

Builds deploy/Dockerfile, pushes it to ECR as \$ECR_REPOSITORY_URL:\$IMAGE_TAG,
registers a task definition revision using it, updates the ECS service, waits
until it is stable, then records the tag in the SSM parameter Terraform reads.

  --dry-run    print the commands instead of running them (checks variables)
  --push-only  build and push only (first deployment: before terraform apply)
  --skip-build deploy \$IMAGE_TAG as it already is in ECR (rollback:
               IMAGE_TAG=<an earlier tag> $SCRIPT_NAME --skip-build)

Required environment (all printed by: terraform output -raw deploy_env):
  AWS_REGION, ECR_REPOSITORY_URL
  ECS_CLUSTER, ECS_SERVICE, IMAGE_TAG_PARAMETER   (not with --push-only)
Optional:
  IMAGE_TAG        default: the commit (git rev-parse --short=12 HEAD), with a
                   -dirty-<time> suffix when the work tree has changes
  DOCKER_PLATFORM  default linux/amd64 (linux/arm64 with cpu_architecture ARM64)
USAGE
}

die() {
  echo "$SCRIPT_NAME: error: $*" >&2
  exit 2
}

DRY_RUN=0
PUSH_ONLY=0
SKIP_BUILD=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --push-only) PUSH_ONLY=1 ;;
    --skip-build) SKIP_BUILD=1 ;;
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

if [[ $PUSH_ONLY -eq 1 && $SKIP_BUILD -eq 1 ]]; then
  die "--push-only and --skip-build together would do nothing"
fi
if [[ $SKIP_BUILD -eq 1 && -z "${IMAGE_TAG:-}" ]]; then
  die "--skip-build deploys an image already in ECR: set IMAGE_TAG to its tag"
fi

required=(AWS_REGION ECR_REPOSITORY_URL)
if [[ $PUSH_ONLY -eq 0 ]]; then
  required+=(ECS_CLUSTER ECS_SERVICE IMAGE_TAG_PARAMETER)
fi
missing=()
for var in "${required[@]}"; do
  if [[ -z "${!var:-}" ]]; then
    missing+=("$var")
  fi
done
if [[ ${#missing[@]} -gt 0 ]]; then
  die "missing required environment variable(s): ${missing[*]}
  Set them from Terraform's outputs:
    eval \"\$(terraform -chdir=deploy/terraform output -raw deploy_env)\""
fi

if [[ ! "$ECR_REPOSITORY_URL" =~ ^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?/.+$ ]]; then
  die "ECR_REPOSITORY_URL must look like 123456789012.dkr.ecr.REGION.amazonaws.com/NAME, got: $ECR_REPOSITORY_URL"
fi

if [[ -z "${IMAGE_TAG:-}" ]]; then
  if ! commit="$(git -C "$REPO_ROOT" rev-parse --short=12 HEAD 2>/dev/null)"; then
    die "IMAGE_TAG is not set and cannot be derived from git (no commit yet); set IMAGE_TAG"
  fi
  IMAGE_TAG="$commit"
  # ECR tags are immutable here: a build of uncommitted changes gets its own tag.
  if [[ -n "$(git -C "$REPO_ROOT" status --porcelain 2>/dev/null)" ]]; then
    IMAGE_TAG="${commit}-dirty-$(date -u +%Y%m%d%H%M%S)"
  fi
fi
if [[ ! "$IMAGE_TAG" =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; then
  die "IMAGE_TAG is not a valid image tag: $IMAGE_TAG"
fi

readonly PLATFORM="${DOCKER_PLATFORM:-linux/amd64}"
readonly IMAGE="${ECR_REPOSITORY_URL}:${IMAGE_TAG}"
readonly REGISTRY="${ECR_REPOSITORY_URL%%/*}"

if [[ $DRY_RUN -eq 0 ]]; then
  tools=(aws node)
  [[ $SKIP_BUILD -eq 1 ]] || tools+=(docker)
  for cmd in "${tools[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || die "'$cmd' is not installed or not on PATH"
  done
fi

# Prints the command in dry-run mode, runs it otherwise.
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
  step "building $IMAGE ($PLATFORM)"
  run docker build --platform "$PLATFORM" -f "$REPO_ROOT/deploy/Dockerfile" \
    --build-arg "GIT_COMMIT=$IMAGE_TAG" -t "$IMAGE" "$REPO_ROOT"

  step "logging in to $REGISTRY"
  if [[ $DRY_RUN -eq 1 ]]; then
    echo "+ aws ecr get-login-password --region $AWS_REGION | docker login --username AWS --password-stdin $REGISTRY"
  else
    aws ecr get-login-password --region "$AWS_REGION" |
      docker login --username AWS --password-stdin "$REGISTRY" >/dev/null
  fi

  step "pushing $IMAGE"
  run docker push "$IMAGE"
else
  step "checking that $IMAGE is in ECR"
  run aws ecr describe-images --region "$AWS_REGION" --repository-name "${ECR_REPOSITORY_URL#*/}" \
    --image-ids "imageTag=$IMAGE_TAG" --query 'imageDetails[0].imageTags' --output text
fi

if [[ $PUSH_ONLY -eq 1 ]]; then
  step "pushed; use initial_image_tag = \"$IMAGE_TAG\" for the first terraform apply"
  exit 0
fi

workdir="$(mktemp -d)"
trap 'rm -rf "$workdir"' EXIT

step "registering a task definition revision with the new image"
if [[ $DRY_RUN -eq 1 ]]; then
  echo "+ aws ecs describe-services --cluster $ECS_CLUSTER --services $ECS_SERVICE (current task definition)"
  echo "+ aws ecs describe-task-definition --include TAGS (copy, image := $IMAGE)"
  echo "+ aws ecs register-task-definition --cli-input-json file://..."
  new_td="<new task definition>"
else
  current_td="$(aws ecs describe-services --region "$AWS_REGION" --cluster "$ECS_CLUSTER" \
    --services "$ECS_SERVICE" --query 'services[0].taskDefinition' --output text)"
  if [[ -z "$current_td" || "$current_td" == "None" ]]; then
    die "service $ECS_SERVICE not found in cluster $ECS_CLUSTER (region $AWS_REGION); run terraform apply first"
  fi
  aws ecs describe-task-definition --region "$AWS_REGION" --task-definition "$current_td" \
    --include TAGS --output json >"$workdir/current.json"
  # Keep everything Terraform set (environment, secrets, roles, sizes); swap
  # the image; drop the read-only fields register-task-definition refuses.
  NEW_IMAGE="$IMAGE" node -e '
    const fs = require("fs");
    const [src, dst] = process.argv.slice(1);
    const described = JSON.parse(fs.readFileSync(src, "utf8"));
    const td = described.taskDefinition;
    const server = td.containerDefinitions.find((c) => c.name === "server");
    if (!server) { console.error("no container named \"server\" in " + td.taskDefinitionArn); process.exit(1); }
    server.image = process.env.NEW_IMAGE;
    for (const k of ["taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
                     "registeredAt", "registeredBy", "deregisteredAt"]) delete td[k];
    if (described.tags && described.tags.length) td.tags = described.tags;
    fs.writeFileSync(dst, JSON.stringify(td));
  ' "$workdir/current.json" "$workdir/next.json"
  new_td="$(aws ecs register-task-definition --region "$AWS_REGION" \
    --cli-input-json "file://$workdir/next.json" \
    --query 'taskDefinition.taskDefinitionArn' --output text)"
fi

step "updating service $ECS_SERVICE to $new_td"
run aws ecs update-service --region "$AWS_REGION" --cluster "$ECS_CLUSTER" --service "$ECS_SERVICE" \
  --task-definition "$new_td" --query 'service.serviceName' --output text

step "waiting for the service to become stable (up to 10 minutes)"
if ! run aws ecs wait services-stable --region "$AWS_REGION" --cluster "$ECS_CLUSTER" --services "$ECS_SERVICE"; then
  die "service $ECS_SERVICE did not become stable; see its events: aws ecs describe-services --cluster $ECS_CLUSTER --services $ECS_SERVICE --query 'services[0].events[:10]'"
fi

if [[ $DRY_RUN -eq 0 ]]; then
  # The deployment circuit breaker rolls a failing deployment back, and the
  # service is then "stable" on the old revision: check which one runs.
  running_td="$(aws ecs describe-services --region "$AWS_REGION" --cluster "$ECS_CLUSTER" \
    --services "$ECS_SERVICE" --query 'services[0].taskDefinition' --output text)"
  if [[ "$running_td" != "$new_td" ]]; then
    die "ECS rolled the deployment back to $running_td (the new tasks failed their health checks); see the log group and the service's events"
  fi
fi

step "recording $IMAGE_TAG in $IMAGE_TAG_PARAMETER"
run aws ssm put-parameter --region "$AWS_REGION" --name "$IMAGE_TAG_PARAMETER" --value "$IMAGE_TAG" \
  --type String --overwrite --query Version --output text

step "deployed $IMAGE"
