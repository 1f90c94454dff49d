output "alb_security_group_id" {
  description = "Security group of the load balancer."
  value       = aws_security_group.alb.id
}

output "task_security_group_id" {
  description = "Security group of the server tasks."
  value       = aws_security_group.tasks.id
}

output "cache_security_group_id" {
  description = "Security group of the Redis cache (null without cluster mode)."
  value       = var.cluster_mode ? aws_security_group.cache[0].id : null
}

output "execution_role_arn" {
  description = "Role the ECS agent uses to pull the image, write logs and inject secrets."
  value       = aws_iam_role.execution.arn
}

output "task_role_arn" {
  description = "Role the server runs as: read and write the notebook table only."
  value       = aws_iam_role.task.arn
}

output "log_group_name" {
  description = "CloudWatch log group of the server."
  value       = aws_cloudwatch_log_group.server.name
}
