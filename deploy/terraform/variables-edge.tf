# Inputs for the load balancer, CloudFront and DNS.

# --- load balancer and CDN ---------------------------------------------------

variable "alb_ingress" {
  description = "\"cloudfront\": the load balancer admits only CloudFront's origin-facing addresses. \"internet\": 0.0.0.0/0 on 80 and 443."
  type        = string
  default     = "cloudfront"
}

variable "alb_certificate_arn" {
  description = "ACM certificate in aws_region for the load balancer's HTTPS listener, covering api_origin_domain. null: HTTP between CloudFront and the load balancer (test deployments only)."
  type        = string
  default     = null

  validation {
    condition     = var.alb_certificate_arn == null || can(regex("^arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/", var.alb_certificate_arn))
    error_message = "alb_certificate_arn must be null or an ACM certificate ARN."
  }
}

variable "api_origin_domain" {
  description = "Name CloudFront uses to reach the load balancer over HTTPS (for example origin.notebook.example.com); required with alb_certificate_arn."
  type        = string
  default     = null

  validation {
    condition     = (var.api_origin_domain == null) == (var.alb_certificate_arn == null)
    error_message = "Set api_origin_domain and alb_certificate_arn together: CloudFront checks the load balancer's certificate against that name."
  }
}

variable "alb_idle_timeout" {
  description = "Seconds the load balancer keeps an idle connection (WebSockets); socket.io's 25 s pings keep active ones alive."
  type        = number
  default     = 300

  validation {
    condition     = var.alb_idle_timeout >= 60 && var.alb_idle_timeout <= 4000
    error_message = "alb_idle_timeout must be between 60 and 4000 seconds."
  }
}

variable "deregistration_delay" {
  description = "Seconds a stopping task keeps its connections before the load balancer closes them."
  type        = number
  default     = 30

  validation {
    condition     = var.deregistration_delay >= 0 && var.deregistration_delay <= 3600
    error_message = "deregistration_delay must be between 0 and 3600."
  }
}

variable "domain_names" {
  description = "Custom domains of the notebook (for example [\"notebook.example.com\"]); empty uses the *.cloudfront.net name."
  type        = list(string)
  default     = []
}

variable "cloudfront_certificate_arn" {
  description = "ACM certificate in us-east-1 covering domain_names (CloudFront only reads certificates there)."
  type        = string
  default     = null

  validation {
    condition     = length(var.domain_names) == 0 ? var.cloudfront_certificate_arn == null : can(regex("^arn:aws[a-z-]*:acm:us-east-1:[0-9]{12}:certificate/", var.cloudfront_certificate_arn))
    error_message = "With domain_names, cloudfront_certificate_arn must be an ACM certificate ARN in us-east-1; without them, leave it null."
  }
}

variable "route53_zone_id" {
  description = "Route 53 hosted zone to create the records of domain_names and api_origin_domain in; null when DNS is managed elsewhere (README, DNS)."
  type        = string
  default     = null
}

variable "price_class" {
  description = "CloudFront price class."
  type        = string
  default     = "PriceClass_100"

  validation {
    condition     = contains(["PriceClass_100", "PriceClass_200", "PriceClass_All"], var.price_class)
    error_message = "price_class must be PriceClass_100, PriceClass_200 or PriceClass_All."
  }
}
