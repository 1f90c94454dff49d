variable "name" {
  description = "Prefix for every resource name."
  type        = string
}

variable "region" {
  description = "AWS region, for the awslogs driver."
  type        = string
}

variable "vpc_id" {
  description = "VPC of the target group."
  type        = string
}

variable "public_subnet_ids" {
  description = "Subnets of the load balancer (two zones at least)."
  type        = list(string)
}

variable "private_subnet_ids" {
  description = "Subnets of the tasks."
  type        = list(string)
}

variable "alb_security_group_id" {
  description = "Security group of the load balancer."
  type        = string
}

variable "task_security_group_id" {
  description = "Security group of the tasks."
  type        = string
}

variable "execution_role_arn" {
  description = "Role the ECS agent uses (image pull, logs, secrets)."
  type        = string
}

variable "task_role_arn" {
  description = "Role the server runs as."
  type        = string
}

variable "log_group_name" {
  description = "CloudWatch log group of the server."
  type        = string
}

variable "ecr_repository_url" {
  description = "Repository of the server image."
  type        = string
}

variable "initial_image_tag" {
  description = "Image tag of the first deployment. Afterwards deploy-backend.sh records each deployed tag in an SSM parameter, which Terraform reads, so a later apply never rolls the image back."
  type        = string
}

variable "container_port" {
  description = "Port the server listens on (its PORT)."
  type        = number
}

variable "task_cpu" {
  description = "CPU units of a task (1024 = 1 vCPU)."
  type        = number
}

variable "task_memory" {
  description = "Memory of a task in MiB."
  type        = number
}

variable "cpu_architecture" {
  description = "X86_64 or ARM64 (Graviton, about 20% cheaper; the image must be built for it)."
  type        = string

  validation {
    condition     = contains(["X86_64", "ARM64"], var.cpu_architecture)
    error_message = "cpu_architecture must be X86_64 or ARM64."
  }
}

variable "environment" {
  description = "Plain environment variables of the server container."
  type        = map(string)
}

variable "secrets" {
  description = "Environment variables of the server container filled from SSM parameters or Secrets Manager secrets, by ARN."
  type        = map(string)
}

variable "task_count" {
  description = "Number of tasks at creation; autoscaling moves it between autoscaling_min and autoscaling_max afterwards."
  type        = number
}

variable "autoscaling_min" {
  description = "Fewest tasks autoscaling keeps."
  type        = number
}

variable "autoscaling_max" {
  description = "Most tasks autoscaling starts."
  type        = number
}

variable "autoscaling_memory_target" {
  description = "Average memory use (percent) autoscaling aims for. Idle kernels hold memory, so this is the main signal."
  type        = number
}

variable "autoscaling_cpu_target" {
  description = "Average CPU use (percent) autoscaling aims for."
  type        = number
}

variable "autoscaling_scale_in" {
  description = "Whether autoscaling may remove tasks. Removing one moves its notebooks' kernels elsewhere (clients see kernel_restarted), so some teams prefer to scale in by hand."
  type        = bool
}

variable "alb_certificate_arn" {
  description = "ACM certificate (same region) for the load balancer's HTTPS listener; null leaves the load balancer on HTTP only."
  type        = string
}

variable "alb_idle_timeout" {
  description = "Seconds the load balancer keeps an idle connection open; socket.io pings every 25 s, so anything above 30 keeps WebSockets alive."
  type        = number
}

variable "deregistration_delay" {
  description = "Seconds a stopping task keeps its connections before the load balancer closes them (clients then reconnect to another task)."
  type        = number
}

variable "stop_timeout" {
  description = "Seconds between SIGTERM and SIGKILL when a task stops (Fargate allows at most 120), for releasing kernel leases."
  type        = number
}

variable "deletion_protection" {
  description = "Protect the load balancer from deletion."
  type        = bool
}

variable "container_insights" {
  description = "Enable CloudWatch Container Insights on the cluster (per-task metrics, extra cost)."
  type        = bool
}

variable "alarm_actions" {
  description = "SNS topics notified when an alarm fires."
  type        = list(string)
}
