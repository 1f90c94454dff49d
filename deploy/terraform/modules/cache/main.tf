# Redis for cluster mode: the socket.io Redis adapter's pub/sub and the kernel
# ownership leases. Private subnets, the tasks' security group only, TLS in
# transit, an AUTH token, encryption at rest.

locals {
  major = split(".", var.engine_version)[0]
  # Member nodes of a non-clustered replication group are named <id>-001, -002...
  node_ids = [for i in range(var.node_count) : format("%s-%03d", var.name, i + 1)]
}

# Terraform reads the token to give it to ElastiCache, so it is in the state:
# keep the state bucket encrypted and private (README, bootstrap).
data "aws_secretsmanager_secret_version" "auth_token" {
  secret_id = var.auth_token_secret_arn
}

resource "aws_elasticache_subnet_group" "this" {
  name       = var.name
  subnet_ids = var.subnet_ids
}

resource "aws_elasticache_parameter_group" "this" {
  name   = "${var.name}-${var.engine}${local.major}"
  family = "${var.engine}${local.major}"

  # Leases must never be evicted to make room: a full cache should refuse
  # writes (an error the server reports) rather than silently drop ownership.
  parameter {
    name  = "maxmemory-policy"
    value = "noeviction"
  }

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_elasticache_replication_group" "this" {
  replication_group_id = var.name
  description          = "Notebook cluster mode: events and kernel leases"
  engine               = var.engine
  engine_version       = var.engine_version
  node_type            = var.node_type
  port                 = var.port
  parameter_group_name = aws_elasticache_parameter_group.this.name
  subnet_group_name    = aws_elasticache_subnet_group.this.name
  security_group_ids   = [var.security_group_id]

  num_cache_clusters         = var.node_count
  automatic_failover_enabled = var.node_count > 1
  multi_az_enabled           = var.node_count > 1

  transit_encryption_enabled = true
  at_rest_encryption_enabled = true
  auth_token                 = data.aws_secretsmanager_secret_version.auth_token.secret_string
  auth_token_update_strategy = "ROTATE"

  # Leases and pub/sub are transient: nothing worth a snapshot.
  snapshot_retention_limit   = 0
  auto_minor_version_upgrade = true
}

resource "aws_cloudwatch_metric_alarm" "engine_cpu" {
  for_each            = toset(local.node_ids)
  alarm_name          = "${each.key}-engine-cpu-high"
  alarm_description   = "Redis's single command thread is above 70%: pub/sub fan-out to the server instances is the usual cause (see the README's sizing)."
  namespace           = "AWS/ElastiCache"
  metric_name         = "EngineCPUUtilization"
  dimensions          = { CacheClusterId = each.key }
  statistic           = "Average"
  period              = 60
  evaluation_periods  = 5
  threshold           = 70
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  depends_on          = [aws_elasticache_replication_group.this]
}

resource "aws_cloudwatch_metric_alarm" "memory" {
  for_each            = toset(local.node_ids)
  alarm_name          = "${each.key}-memory-high"
  alarm_description   = "Redis memory above 80% of maxmemory: with noeviction, writes (lease renewals) fail when it is full."
  namespace           = "AWS/ElastiCache"
  metric_name         = "DatabaseMemoryUsagePercentage"
  dimensions          = { CacheClusterId = each.key }
  statistic           = "Maximum"
  period              = 60
  evaluation_periods  = 5
  threshold           = 80
  comparison_operator = "GreaterThanThreshold"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
  depends_on          = [aws_elasticache_replication_group.this]
}
