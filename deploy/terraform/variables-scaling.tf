# Inputs for cluster mode: task count, autoscaling, the Redis cache.

# --- scaling -----------------------------------------------------------------

variable "cluster_mode" {
  description = "Run several server tasks sharing events and kernel ownership through Redis (ElastiCache). false: one task, no Redis."
  type        = bool
  default     = true
}

variable "task_count" {
  description = "Server tasks at creation (autoscaling takes over afterwards)."
  type        = number
  default     = 2

  validation {
    condition     = var.task_count >= var.autoscaling_min && var.task_count <= var.autoscaling_max
    error_message = "task_count must lie between autoscaling_min and autoscaling_max."
  }
}

variable "autoscaling_min" {
  description = "Fewest server tasks. Two keep the notebook up when a task or a zone fails."
  type        = number
  default     = 2

  validation {
    condition     = var.autoscaling_min >= 1
    error_message = "autoscaling_min must be at least 1."
  }
}

variable "autoscaling_max" {
  description = "Most server tasks. Without cluster mode it must be 1: instances would not share kernels."
  type        = number
  default     = 8

  validation {
    condition     = var.autoscaling_max >= var.autoscaling_min && (var.cluster_mode || var.autoscaling_max == 1)
    error_message = "autoscaling_max must be at least autoscaling_min, and exactly 1 when cluster_mode is false (one instance keeps everything in memory)."
  }
}

variable "autoscaling_memory_target" {
  description = "Average task memory (percent) that autoscaling aims for."
  type        = number
  default     = 70

  validation {
    condition     = var.autoscaling_memory_target >= 20 && var.autoscaling_memory_target <= 90
    error_message = "autoscaling_memory_target must be between 20 and 90."
  }
}

variable "autoscaling_cpu_target" {
  description = "Average task CPU (percent) that autoscaling aims for."
  type        = number
  default     = 60

  validation {
    condition     = var.autoscaling_cpu_target >= 20 && var.autoscaling_cpu_target <= 90
    error_message = "autoscaling_cpu_target must be between 20 and 90."
  }
}

variable "autoscaling_scale_in" {
  description = "Let autoscaling remove tasks (their notebooks' kernels restart on other tasks)."
  type        = bool
  default     = true
}

# --- cache (cluster mode) ----------------------------------------------------

variable "redis_auth_token_secret_arn" {
  description = "Secrets Manager secret (plain string) holding Redis's AUTH token; required with cluster_mode. Create it as in the README's bootstrap."
  type        = string
  default     = null

  validation {
    condition     = var.cluster_mode ? can(regex("^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:[0-9]{12}:secret:[^:]+$", var.redis_auth_token_secret_arn)) : var.redis_auth_token_secret_arn == null
    error_message = "With cluster_mode, redis_auth_token_secret_arn must be the ARN of a Secrets Manager secret (whole secret, no JSON key); without it, leave it null."
  }
}

variable "redis_engine" {
  description = "\"redis\" or \"valkey\"."
  type        = string
  default     = "redis"
}

variable "redis_engine_version" {
  description = "Engine version, major.minor."
  type        = string
  default     = "7.1"
}

variable "redis_node_type" {
  description = "ElastiCache node type."
  type        = string
  default     = "cache.t4g.micro"

  validation {
    condition     = can(regex("^cache\\.[a-z0-9]+\\.[a-z0-9]+$", var.redis_node_type))
    error_message = "redis_node_type must be an ElastiCache node type such as cache.t4g.micro."
  }
}

variable "redis_node_count" {
  description = "1: a single node (a failure loses leases; instances re-take them). 2 or more: a replica in another zone with automatic failover."
  type        = number
  default     = 1
}
