variable "name" {
  description = "Prefix for every resource name and Name tag (for example \"rnb-prod\")."
  type        = string
}

variable "vpc_cidr" {
  description = "IPv4 range of the VPC. A /16 leaves room for /20 subnets (about 4,000 task addresses each), which matters once the service scales out: every Fargate task takes one address."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && try(tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 20, false)
    error_message = "vpc_cidr must be an IPv4 CIDR block between /16 and /20, for example 10.40.0.0/16 (subnets are a sixteenth of it each)."
  }
}

variable "az_count" {
  description = "Number of availability zones to spread subnets over (2 or 3)."
  type        = number

  validation {
    condition     = var.az_count >= 2 && var.az_count <= 3
    error_message = "az_count must be 2 or 3: the load balancer needs two zones, and the subnet layout has room for three."
  }
}

variable "single_nat_gateway" {
  description = "true: one NAT gateway shared by all private subnets (cheaper, but tasks lose outbound access if its zone fails). false: one NAT gateway per zone."
  type        = bool
}
