output "cluster_name" {
  description = "ECS cluster name."
  value       = aws_ecs_cluster.this.name
}

output "service_name" {
  description = "ECS service name."
  value       = aws_ecs_service.server.name
}

output "task_definition_family" {
  description = "Task definition family of the server."
  value       = aws_ecs_task_definition.server.family
}

output "image_tag_parameter" {
  description = "SSM parameter holding the deployed image tag."
  value       = aws_ssm_parameter.image_tag.name
}

output "alb_dns_name" {
  description = "DNS name of the load balancer."
  value       = aws_lb.this.dns_name
}

output "alb_zone_id" {
  description = "Hosted zone of the load balancer, for alias records."
  value       = aws_lb.this.zone_id
}
