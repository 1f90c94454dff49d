# The notebook on AWS: CloudFront in front of an S3 bucket (front end) and an
# application load balancer (API and socket.io), ECS Fargate tasks running the
# server, DynamoDB for notebooks, ElastiCache Redis for cluster mode.

data "aws_caller_identity" "current" {}

locals {
  table_name           = coalesce(var.table_name, "${var.name}-notebooks")
  frontend_bucket_name = coalesce(var.frontend_bucket_name, "${var.name}-frontend-${data.aws_caller_identity.current.account_id}")
  redis_port           = 6379

  # Sizing (README): the server keeps about 512 MiB for itself, each idle
  # Python kernel about 180 MiB (its own process: one user per kernel, the hosted case).
  max_kernels = coalesce(var.max_kernels_per_task, max(1, floor((var.task_memory - 512) / 180)))

  authorized_parties = length(var.clerk_authorized_parties) > 0 ? var.clerk_authorized_parties : [for d in var.domain_names : "https://${d}"]

  # Names from docs/configuration.md. Empty values are left out so the server
  # applies its own defaults.
  managed_environment = {
    PORT                     = tostring(var.container_port)
    HOST                     = "0.0.0.0"
    NODE_ENV                 = "production"
    AWS_REGION               = var.aws_region
    NOTEBOOK_STORAGE         = "dynamodb"
    DYNAMODB_TABLE           = local.table_name
    DYNAMODB_CREATE_TABLE    = "false" # Terraform owns the table; the task role cannot create one.
    NOTEBOOK_AUTH            = var.notebook_auth
    CLERK_FRONTEND_API       = var.clerk_frontend_api
    CLERK_PUBLISHABLE_KEY    = var.clerk_publishable_key
    CLERK_JWT_KEY            = var.clerk_jwt_key
    CLERK_AUTHORIZED_PARTIES = join(",", local.authorized_parties)
    CORS_ORIGINS             = join(",", var.cors_origins)
    SQL_ALLOWED_HOSTS        = join(",", var.sql_allowed_hosts)
    PYODIDE_PACKAGE_BASE_URL = var.pyodide_package_base_url
    LOG_LEVEL                = var.log_level
    MAX_KERNELS              = tostring(local.max_kernels)
    KERNEL_IDLE_SECONDS      = tostring(var.kernel_idle_seconds)
    # The server's drain after SIGTERM must end before ECS's SIGKILL.
    SHUTDOWN_GRACE_SECONDS = tostring(max(1, var.stop_timeout - 10))
    REDIS_URL              = var.cluster_mode ? module.cache[0].redis_url : null
  }
  environment = { for k, v in merge(var.extra_environment, local.managed_environment) : k => v if v != null && v != "" }

  # The image's entrypoint puts REDIS_AUTH_TOKEN into REDIS_URL (deploy/docker/docker-entrypoint.sh).
  # NOTEBOOK_SECRET_KEY seals connection strings at rest; the server refuses to start with sign-in on without it.
  secrets = merge(var.secret_environment, { NOTEBOOK_SECRET_KEY = var.notebook_secret_key_arn }, var.cluster_mode ? { REDIS_AUTH_TOKEN = var.redis_auth_token_secret_arn } : {})

  alarm_actions = concat(var.alarm_topic_arns, aws_sns_topic.alarms[*].arn)
}

module "networking" {
  source             = "./modules/networking"
  name               = var.name
  vpc_cidr           = var.vpc_cidr
  az_count           = var.az_count
  single_nat_gateway = var.single_nat_gateway
}

module "storage" {
  source                = "./modules/storage"
  name                  = var.name
  table_name            = local.table_name
  frontend_bucket_name  = local.frontend_bucket_name
  deletion_protection   = var.deletion_protection
  image_retention_count = var.image_retention_count
  kms_key_arn           = var.dynamodb_kms_key_arn
}

module "security" {
  source                = "./modules/security"
  name                  = var.name
  vpc_id                = module.networking.vpc_id
  container_port        = var.container_port
  alb_https             = var.alb_certificate_arn != null
  alb_ingress           = var.alb_ingress
  cluster_mode          = var.cluster_mode
  redis_port            = local.redis_port
  notebook_egress_rules = var.notebook_egress_rules
  table_arn             = module.storage.table_arn
  ecr_repository_arn    = module.storage.ecr_repository_arn
  secret_arns           = values(local.secrets)
  kms_key_arns          = var.secrets_kms_key_arns
  log_retention_days    = var.log_retention_days
}

module "cache" {
  source                = "./modules/cache"
  count                 = var.cluster_mode ? 1 : 0
  name                  = var.name
  subnet_ids            = module.networking.private_subnet_ids
  security_group_id     = module.security.cache_security_group_id
  engine                = var.redis_engine
  engine_version        = var.redis_engine_version
  node_type             = var.redis_node_type
  node_count            = var.redis_node_count
  port                  = local.redis_port
  auth_token_secret_arn = var.redis_auth_token_secret_arn
  alarm_actions         = local.alarm_actions
}

module "compute" {
  source                    = "./modules/compute"
  name                      = var.name
  region                    = var.aws_region
  vpc_id                    = module.networking.vpc_id
  public_subnet_ids         = module.networking.public_subnet_ids
  private_subnet_ids        = module.networking.private_subnet_ids
  alb_security_group_id     = module.security.alb_security_group_id
  task_security_group_id    = module.security.task_security_group_id
  execution_role_arn        = module.security.execution_role_arn
  task_role_arn             = module.security.task_role_arn
  log_group_name            = module.security.log_group_name
  ecr_repository_url        = module.storage.ecr_repository_url
  initial_image_tag         = var.initial_image_tag
  container_port            = var.container_port
  task_cpu                  = var.task_cpu
  task_memory               = var.task_memory
  cpu_architecture          = var.cpu_architecture
  environment               = local.environment
  secrets                   = local.secrets
  task_count                = var.task_count
  autoscaling_min           = var.autoscaling_min
  autoscaling_max           = var.autoscaling_max
  autoscaling_memory_target = var.autoscaling_memory_target
  autoscaling_cpu_target    = var.autoscaling_cpu_target
  autoscaling_scale_in      = var.autoscaling_scale_in
  alb_certificate_arn       = var.alb_certificate_arn
  alb_idle_timeout          = var.alb_idle_timeout
  deregistration_delay      = var.deregistration_delay
  stop_timeout              = var.stop_timeout
  deletion_protection       = var.deletion_protection
  container_insights        = var.container_insights
  alarm_actions             = local.alarm_actions
}

module "cdn" {
  source                      = "./modules/cdn"
  name                        = var.name
  bucket_name                 = module.storage.frontend_bucket_name
  bucket_arn                  = module.storage.frontend_bucket_arn
  bucket_regional_domain_name = module.storage.frontend_bucket_regional_domain_name
  alb_origin_domain           = coalesce(var.api_origin_domain, module.compute.alb_dns_name)
  alb_origin_https            = var.alb_certificate_arn != null
  domain_names                = var.domain_names
  certificate_arn             = var.cloudfront_certificate_arn
  price_class                 = var.price_class
}

module "database" {
  source               = "./modules/database"
  name                 = var.name
  table_name           = module.storage.table_name
  latency_threshold_ms = var.dynamodb_latency_threshold_ms
  alarm_actions        = local.alarm_actions
}
