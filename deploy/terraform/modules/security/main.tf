# Security groups (least privilege, one rule per resource so that tests and
# reviewers see every opening), the CloudWatch log group, and the task roles.
#
# Traffic allowed, and nothing else:
#   CloudFront or internet -> ALB :80/:443
#   ALB -> tasks :container_port
#   tasks -> Redis :6379 (cluster mode), tasks -> anywhere :443 (AWS APIs, ECR,
#   Clerk, model API, Pyodide packages), tasks -> notebook_egress_rules.

locals {
  alb_origin_port = var.alb_https ? 443 : 80
  ssm_arns        = [for a in var.secret_arns : a if can(regex("^arn:aws[a-z-]*:ssm:", a))]
  # A Secrets Manager reference may end in ":json-key:version-stage:version-id";
  # IAM wants the secret's own ARN (the first seven fields).
  secretsmanager_arns = distinct([for a in var.secret_arns : join(":", slice(split(":", a), 0, 7)) if can(regex("^arn:aws[a-z-]*:secretsmanager:", a))])
}

# --- load balancer -----------------------------------------------------------

resource "aws_security_group" "alb" {
  name        = "${var.name}-alb"
  description = "Load balancer: HTTP(S) in, tasks out"
  vpc_id      = var.vpc_id
  tags        = { Name = "${var.name}-alb" }
}

data "aws_ec2_managed_prefix_list" "cloudfront" {
  count = var.alb_ingress == "cloudfront" ? 1 : 0
  name  = "com.amazonaws.global.cloudfront.origin-facing"
}

# The CloudFront list counts as about 55 rules against the 60-rule quota of a
# group, so it is referenced once, on the one port CloudFront uses.
resource "aws_vpc_security_group_ingress_rule" "alb_from_cloudfront" {
  count             = var.alb_ingress == "cloudfront" ? 1 : 0
  security_group_id = aws_security_group.alb.id
  description       = "CloudFront origin-facing addresses"
  ip_protocol       = "tcp"
  from_port         = local.alb_origin_port
  to_port           = local.alb_origin_port
  prefix_list_id    = data.aws_ec2_managed_prefix_list.cloudfront[0].id
}

resource "aws_vpc_security_group_ingress_rule" "alb_http_from_internet" {
  count             = var.alb_ingress == "internet" ? 1 : 0
  security_group_id = aws_security_group.alb.id
  description       = "HTTP from anywhere (redirected to HTTPS when a certificate is set)"
  ip_protocol       = "tcp"
  from_port         = 80
  to_port           = 80
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_ingress_rule" "alb_https_from_internet" {
  count             = var.alb_ingress == "internet" && var.alb_https ? 1 : 0
  security_group_id = aws_security_group.alb.id
  description       = "HTTPS from anywhere"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "alb_to_tasks" {
  security_group_id            = aws_security_group.alb.id
  description                  = "Forward to the server tasks"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.tasks.id
}

# --- server tasks ------------------------------------------------------------

resource "aws_security_group" "tasks" {
  name        = "${var.name}-tasks"
  description = "Notebook server tasks: load balancer in; HTTPS, Redis and notebook databases out"
  vpc_id      = var.vpc_id
  tags        = { Name = "${var.name}-tasks" }
}

resource "aws_vpc_security_group_ingress_rule" "tasks_from_alb" {
  security_group_id            = aws_security_group.tasks.id
  description                  = "HTTP and WebSocket from the load balancer"
  ip_protocol                  = "tcp"
  from_port                    = var.container_port
  to_port                      = var.container_port
  referenced_security_group_id = aws_security_group.alb.id
}

# Needed for ECR, CloudWatch Logs, Secrets Manager, SSM, DynamoDB, Clerk's JWKS,
# the model API and Pyodide's package mirror. Notebook code shares this egress
# on Fargate (no network namespace there): see the README's isolation section.
resource "aws_vpc_security_group_egress_rule" "tasks_https" {
  security_group_id = aws_security_group.tasks.id
  description       = "HTTPS to AWS APIs and the services the server calls"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"
}

resource "aws_vpc_security_group_egress_rule" "tasks_to_redis" {
  count                        = var.cluster_mode ? 1 : 0
  security_group_id            = aws_security_group.tasks.id
  description                  = "Redis (events and kernel leases)"
  ip_protocol                  = "tcp"
  from_port                    = var.redis_port
  to_port                      = var.redis_port
  referenced_security_group_id = aws_security_group.cache[0].id
}

resource "aws_vpc_security_group_egress_rule" "tasks_notebook_databases" {
  for_each          = { for r in var.notebook_egress_rules : "${r.cidr}:${r.port}" => r }
  security_group_id = aws_security_group.tasks.id
  description       = each.value.description
  ip_protocol       = "tcp"
  from_port         = each.value.port
  to_port           = each.value.port
  cidr_ipv4         = each.value.cidr
}

# --- Redis -------------------------------------------------------------------

resource "aws_security_group" "cache" {
  count       = var.cluster_mode ? 1 : 0
  name        = "${var.name}-cache"
  description = "Redis: reachable from the server tasks only"
  vpc_id      = var.vpc_id
  tags        = { Name = "${var.name}-cache" }
}

resource "aws_vpc_security_group_ingress_rule" "cache_from_tasks" {
  count                        = var.cluster_mode ? 1 : 0
  security_group_id            = aws_security_group.cache[0].id
  description                  = "Redis from the server tasks"
  ip_protocol                  = "tcp"
  from_port                    = var.redis_port
  to_port                      = var.redis_port
  referenced_security_group_id = aws_security_group.tasks.id
}

# --- logs --------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "server" {
  name              = "/ecs/${var.name}/server"
  retention_in_days = var.log_retention_days
}
