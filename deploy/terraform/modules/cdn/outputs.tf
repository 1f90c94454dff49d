output "distribution_id" {
  description = "CloudFront distribution ID (for invalidations)."
  value       = aws_cloudfront_distribution.this.id
}

output "domain_name" {
  description = "The distribution's *.cloudfront.net name."
  value       = aws_cloudfront_distribution.this.domain_name
}

output "hosted_zone_id" {
  description = "CloudFront's hosted zone, for alias records."
  value       = aws_cloudfront_distribution.this.hosted_zone_id
}
