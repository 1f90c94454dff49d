output "primary_endpoint" {
  description = "Address of the primary node."
  value       = aws_elasticache_replication_group.this.primary_endpoint_address
}

output "port" {
  description = "Port of the cache."
  value       = aws_elasticache_replication_group.this.port
}

output "redis_url" {
  description = "REDIS_URL for the server, without the password (rediss: TLS). The token reaches the container separately as REDIS_AUTH_TOKEN."
  value       = "rediss://${aws_elasticache_replication_group.this.primary_endpoint_address}:${aws_elasticache_replication_group.this.port}"
}
