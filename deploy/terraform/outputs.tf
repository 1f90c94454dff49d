output "url" {
  description = "Where the notebook answers."
  value       = length(var.domain_names) > 0 ? "https://${var.domain_names[0]}" : "https://${module.cdn.domain_name}"
}

output "cloudfront_domain_name" {
  description = "The distribution's own name: point your domain's CNAME or alias here."
  value       = module.cdn.domain_name
}

output "cloudfront_distribution_id" {
  description = "For deploy-frontend.sh (CLOUDFRONT_DISTRIBUTION_ID)."
  value       = module.cdn.distribution_id
}

output "frontend_bucket" {
  description = "For deploy-frontend.sh (FRONTEND_BUCKET)."
  value       = module.storage.frontend_bucket_name
}

output "ecr_repository_url" {
  description = "For deploy-backend.sh (ECR_REPOSITORY_URL)."
  value       = module.storage.ecr_repository_url
}

output "ecs_cluster" {
  description = "For deploy-backend.sh (ECS_CLUSTER)."
  value       = module.compute.cluster_name
}

output "ecs_service" {
  description = "For deploy-backend.sh (ECS_SERVICE)."
  value       = module.compute.service_name
}

output "image_tag_parameter" {
  description = "For deploy-backend.sh (IMAGE_TAG_PARAMETER): the SSM parameter recording the deployed image tag."
  value       = module.compute.image_tag_parameter
}

output "alb_dns_name" {
  description = "The load balancer's name (the target of api_origin_domain's record)."
  value       = module.compute.alb_dns_name
}

output "table_name" {
  description = "Notebook DynamoDB table."
  value       = module.storage.table_name
}

output "redis_endpoint" {
  description = "Primary endpoint of the Redis cache (null without cluster mode)."
  value       = var.cluster_mode ? module.cache[0].primary_endpoint : null
}

output "log_group" {
  description = "CloudWatch log group of the server."
  value       = module.security.log_group_name
}

output "max_kernels_per_task" {
  description = "MAX_KERNELS given to each task."
  value       = local.max_kernels
}

output "deploy_env" {
  description = "Shell exports for the deploy scripts: eval \"$(terraform output -raw deploy_env)\"."
  value       = <<-EOT
    export AWS_REGION='${var.aws_region}'
    export ECR_REPOSITORY_URL='${module.storage.ecr_repository_url}'
    export ECS_CLUSTER='${module.compute.cluster_name}'
    export ECS_SERVICE='${module.compute.service_name}'
    export IMAGE_TAG_PARAMETER='${module.compute.image_tag_parameter}'
    export FRONTEND_BUCKET='${module.storage.frontend_bucket_name}'
    export CLOUDFRONT_DISTRIBUTION_ID='${module.cdn.distribution_id}'
  EOT
}

output "server_environment" {
  description = "Plain environment variables the server container receives (secrets are listed by name in server_secret_names)."
  value       = local.environment
}

output "server_secret_names" {
  description = "Environment variables the container receives from SSM or Secrets Manager."
  value       = sort(keys(local.secrets))
}
