# Inputs of the deployment. Secrets never appear here: they live in SSM
# Parameter Store or Secrets Manager and are referenced by ARN.

# --- identity and region -----------------------------------------------------

variable "name" {
  description = "Name of this deployment, the prefix of every resource (for example \"rnb-prod\"). Lowercase letters, digits and '-', at most 24 characters so that derived names fit AWS limits."
  type        = string

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{0,22}[a-z0-9]$", var.name))
    error_message = "name must be 2 to 24 characters: lowercase letters, digits and '-', starting with a letter and not ending with '-'."
  }
}

variable "aws_region" {
  description = "Region of everything but CloudFront's certificate (which lives in us-east-1)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-gov)?-[a-z]+-[0-9]$", var.aws_region))
    error_message = "aws_region must be a region code such as eu-west-1."
  }
}

variable "tags" {
  description = "Extra tags on every resource (cost allocation, owner)."
  type        = map(string)
  default     = {}
}

# --- network -----------------------------------------------------------------

variable "vpc_cidr" {
  description = "IPv4 range of the VPC, /16 to /20."
  type        = string
  default     = "10.40.0.0/16"
}

variable "az_count" {
  description = "Availability zones used (2 or 3)."
  type        = number
  default     = 2
}

variable "single_nat_gateway" {
  description = "One NAT gateway for all zones (saves about 33 USD a month per zone) instead of one per zone."
  type        = bool
  default     = true
}

variable "notebook_egress_rules" {
  description = "Outbound rules for the databases notebooks' SQL cells connect to: [{ description, cidr, port }]. HTTPS to anywhere is always open."
  type = list(object({
    description = string
    cidr        = string
    port        = number
  }))
  default = []
}

# --- storage -----------------------------------------------------------------

variable "table_name" {
  description = "Notebook DynamoDB table; null gives \"<name>-notebooks\"."
  type        = string
  default     = null
}

variable "frontend_bucket_name" {
  description = "S3 bucket of the front end (globally unique); null gives \"<name>-frontend-<account id>\"."
  type        = string
  default     = null
}

variable "deletion_protection" {
  description = "Protect the table, load balancer, image repository and bucket from deletion. Turn off only to tear a test deployment down."
  type        = bool
  default     = true
}

variable "image_retention_count" {
  description = "Server images kept in ECR (older ones expire)."
  type        = number
  default     = 20
}

variable "dynamodb_kms_key_arn" {
  description = "Customer-managed KMS key for the table; null uses the AWS-owned key."
  type        = string
  default     = null
}

variable "dynamodb_latency_threshold_ms" {
  description = "Average DynamoDB latency (ms) per operation above which an alarm fires."
  type        = number
  default     = 50

  validation {
    condition     = var.dynamodb_latency_threshold_ms > 0
    error_message = "dynamodb_latency_threshold_ms must be positive."
  }
}

# --- server tasks ------------------------------------------------------------

variable "initial_image_tag" {
  description = "Tag of the image the first apply deploys (push it first: README, step 4). Later deploys go through deploy-backend.sh."
  type        = string
  default     = "initial"

  validation {
    condition     = can(regex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$", var.initial_image_tag))
    error_message = "initial_image_tag must be a valid image tag: letters, digits, '_', '.' and '-', at most 128 characters."
  }
}

variable "container_port" {
  description = "Port the server listens on inside the container (its PORT)."
  type        = number
  default     = 8000

  validation {
    condition     = var.container_port >= 1024 && var.container_port <= 65535
    error_message = "container_port must be between 1024 and 65535 (the image runs as a non-root user)."
  }
}

variable "task_cpu" {
  description = "CPU units per task (1024 = 1 vCPU). A running cell keeps one core busy."
  type        = number
  default     = 1024

  validation {
    condition     = contains([256, 512, 1024, 2048, 4096, 8192, 16384], var.task_cpu)
    error_message = "task_cpu must be a Fargate size: 256, 512, 1024, 2048, 4096, 8192 or 16384."
  }
}

variable "task_memory" {
  description = "Memory per task in MiB. Idle kernels dominate it: about 180 MB each (README, sizing)."
  type        = number
  default     = 2048

  validation {
    condition = try(
      var.task_memory >= { "256" = 512, "512" = 1024, "1024" = 2048, "2048" = 4096, "4096" = 8192, "8192" = 16384, "16384" = 32768 }[tostring(var.task_cpu)] &&
      var.task_memory <= { "256" = 2048, "512" = 4096, "1024" = 8192, "2048" = 16384, "4096" = 30720, "8192" = 61440, "16384" = 122880 }[tostring(var.task_cpu)] &&
      var.task_memory % { "256" = 512, "512" = 1024, "1024" = 1024, "2048" = 1024, "4096" = 1024, "8192" = 4096, "16384" = 8192 }[tostring(var.task_cpu)] == 0,
      false
    )
    error_message = "task_memory does not fit task_cpu on Fargate. 256: 512-2048; 512: 1024-4096; 1024: 2048-8192; 2048: 4096-16384; 4096: 8192-30720 (steps of 1024); 8192: 16384-61440 (steps of 4096); 16384: 32768-122880 (steps of 8192)."
  }
}

variable "cpu_architecture" {
  description = "X86_64 or ARM64 (Graviton, about 20% cheaper; build the image with --platform linux/arm64)."
  type        = string
  default     = "X86_64"
}

variable "max_kernels_per_task" {
  description = "MAX_KERNELS of each task; null derives it from task_memory (512 MiB for the server, 180 MiB per kernel)."
  type        = number
  default     = null

  validation {
    condition     = var.max_kernels_per_task == null || try(var.max_kernels_per_task >= 1, false)
    error_message = "max_kernels_per_task must be null or at least 1."
  }
}

variable "kernel_idle_seconds" {
  description = "KERNEL_IDLE_SECONDS: an idle kernel shuts down after this long and its notebook comes back on next use."
  type        = number
  default     = 1800

  validation {
    condition     = var.kernel_idle_seconds >= 60
    error_message = "kernel_idle_seconds must be at least 60."
  }
}

variable "log_level" {
  description = "LOG_LEVEL of the server."
  type        = string
  default     = "info"

  validation {
    condition     = contains(["debug", "info", "warn", "error"], var.log_level)
    error_message = "log_level must be debug, info, warn or error."
  }
}

variable "log_retention_days" {
  description = "Days CloudWatch keeps the server's logs."
  type        = number
  default     = 30
}

variable "container_insights" {
  description = "CloudWatch Container Insights on the ECS cluster (per-task metrics; costs extra)."
  type        = bool
  default     = false
}

variable "stop_timeout" {
  description = "Seconds a stopping task gets after SIGTERM to release its kernel leases (Fargate allows 2 to 120)."
  type        = number
  default     = 60

  validation {
    condition     = var.stop_timeout >= 2 && var.stop_timeout <= 120
    error_message = "stop_timeout must be between 2 and 120 seconds (Fargate's range)."
  }
}
