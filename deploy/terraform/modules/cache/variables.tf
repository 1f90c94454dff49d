variable "name" {
  description = "Prefix for every resource name (also the replication group id, so at most 40 characters)."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets the cache nodes live in."
  type        = list(string)
}

variable "security_group_id" {
  description = "Security group of the cache; it admits the server tasks' group only."
  type        = string
}

variable "engine" {
  description = "\"redis\" or \"valkey\" (the open-source fork ElastiCache prices about 20% lower; same protocol)."
  type        = string

  validation {
    condition     = contains(["redis", "valkey"], var.engine)
    error_message = "engine must be \"redis\" or \"valkey\"."
  }
}

variable "engine_version" {
  description = "Engine version, major.minor (for example 7.1 for Redis, 8.0 for Valkey)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]+\\.[0-9]+$", var.engine_version))
    error_message = "engine_version must be major.minor, for example \"7.1\"."
  }
}

variable "node_type" {
  description = "Cache node type (cache.t4g.micro is enough for tens of instances; see the README's sizing)."
  type        = string
}

variable "node_count" {
  description = "Nodes in the replication group: 1 (no replica) or more (a primary plus replicas, with automatic failover across zones)."
  type        = number

  validation {
    condition     = var.node_count >= 1 && var.node_count <= 6
    error_message = "node_count must be between 1 and 6."
  }
}

variable "port" {
  description = "Port the cache listens on."
  type        = number
}

variable "auth_token_secret_arn" {
  description = "Secrets Manager secret holding the AUTH token (16 to 128 characters, no '@', '\"', '/' or spaces). The same secret reaches the server as REDIS_AUTH_TOKEN."
  type        = string
}

variable "alarm_actions" {
  description = "SNS topics notified when an alarm fires."
  type        = list(string)
}
