output "ecr_repository_url" {
  description = "URL to push the server image to."
  value       = aws_ecr_repository.server.repository_url
}

output "ecr_repository_arn" {
  description = "ARN of the image repository."
  value       = aws_ecr_repository.server.arn
}

output "frontend_bucket_name" {
  description = "Bucket holding the front end's build."
  value       = aws_s3_bucket.frontend.bucket
}

output "frontend_bucket_arn" {
  description = "ARN of the front end bucket."
  value       = aws_s3_bucket.frontend.arn
}

output "frontend_bucket_regional_domain_name" {
  description = "Regional domain name of the bucket, CloudFront's origin."
  value       = aws_s3_bucket.frontend.bucket_regional_domain_name
}

output "table_name" {
  description = "Name of the notebook table."
  value       = aws_dynamodb_table.notebooks.name
}

output "table_arn" {
  description = "ARN of the notebook table."
  value       = aws_dynamodb_table.notebooks.arn
}
