variable "name" {
  description = "Prefix for every resource name."
  type        = string
}

variable "vpc_id" {
  description = "VPC that holds the security groups."
  type        = string
}

variable "container_port" {
  description = "Port the server listens on inside the task (the PORT variable)."
  type        = number
}

variable "alb_https" {
  description = "Whether the load balancer has an HTTPS listener (a certificate was given). Decides which listener ports the load balancer's group opens."
  type        = bool
}

variable "alb_ingress" {
  description = "Who may reach the load balancer: \"cloudfront\" (only CloudFront's origin-facing addresses, through the AWS-managed prefix list) or \"internet\" (0.0.0.0/0 on 80 and 443)."
  type        = string

  validation {
    condition     = contains(["cloudfront", "internet"], var.alb_ingress)
    error_message = "alb_ingress must be \"cloudfront\" or \"internet\"."
  }
}

variable "cluster_mode" {
  description = "Whether a Redis cache exists (cluster mode); creates its security group and the tasks' egress to it."
  type        = bool
}

variable "redis_port" {
  description = "Port of the Redis cache."
  type        = number
}

variable "notebook_egress_rules" {
  description = "Extra outbound rules for the tasks, for the databases that notebooks' SQL cells connect to (each: description, IPv4 CIDR, TCP port). HTTPS to anywhere is always allowed."
  type = list(object({
    description = string
    cidr        = string
    port        = number
  }))

  validation {
    condition = alltrue([for r in var.notebook_egress_rules :
      can(cidrnetmask(r.cidr)) && r.cidr != "0.0.0.0/0" && r.port >= 1 && r.port <= 65535
    ])
    error_message = "Each notebook_egress_rules entry needs a specific IPv4 CIDR (not 0.0.0.0/0: name the database's network) and a TCP port between 1 and 65535."
  }
}

variable "table_arn" {
  description = "ARN of the notebook DynamoDB table: the only data the task role may touch."
  type        = string
}

variable "ecr_repository_arn" {
  description = "ARN of the ECR repository the execution role pulls the image from."
  type        = string
}

variable "secret_arns" {
  description = "ARNs of the SSM parameters and Secrets Manager secrets injected into the container; the execution role may read these and nothing else."
  type        = list(string)

  validation {
    condition     = alltrue([for a in var.secret_arns : can(regex("^arn:aws[a-z-]*:(ssm|secretsmanager):[a-z0-9-]+:[0-9]{12}:(parameter/|secret:)", a))])
    error_message = "Every secret must be the ARN of an SSM parameter (arn:aws:ssm:REGION:ACCOUNT:parameter/...) or a Secrets Manager secret (arn:aws:secretsmanager:REGION:ACCOUNT:secret:...)."
  }
}

variable "kms_key_arns" {
  description = "Customer-managed KMS keys that encrypt those secrets (empty when they use the AWS-managed keys)."
  type        = list(string)

  validation {
    condition     = alltrue([for a in var.kms_key_arns : can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:key/", a))])
    error_message = "kms_key_arns must hold KMS key ARNs (arn:aws:kms:REGION:ACCOUNT:key/ID)."
  }
}

variable "log_retention_days" {
  description = "How long CloudWatch keeps the server's logs, in days."
  type        = number

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be one of the values CloudWatch accepts: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653."
  }
}
