# The server's own configuration (docs/configuration.md) and the alarms.
# Secrets never appear here: they are referenced by ARN.

# --- server configuration (docs/configuration.md) ---------------------------------

variable "notebook_auth" {
  description = "NOTEBOOK_AUTH: \"clerk\" or a third-party auth plugin's package name. \"none\" is refused: a public deployment would run anyone's code as one shared user."
  type        = string
  default     = "clerk"

  validation {
    condition     = var.notebook_auth != "none" && length(var.notebook_auth) > 0
    error_message = "notebook_auth must name an auth plugin (\"clerk\"); \"none\" would give everyone who reaches the URL the same notebooks and a kernel."
  }
}

variable "clerk_frontend_api" {
  description = "CLERK_FRONTEND_API, the Clerk frontend API host (for example clerk.notebook.example.com); the server fetches its JWKS."
  type        = string
  default     = null

  validation {
    condition     = var.notebook_auth != "clerk" || try(can(regex("^[A-Za-z0-9.-]+$", var.clerk_frontend_api)), false)
    error_message = "With notebook_auth = \"clerk\", clerk_frontend_api must be a host name without scheme, for example clerk.notebook.example.com."
  }
}

variable "clerk_publishable_key" {
  description = "CLERK_PUBLISHABLE_KEY (pk_live_... or pk_test_...), handed to the front end; public by design."
  type        = string
  default     = null

  validation {
    condition     = var.notebook_auth != "clerk" || try(can(regex("^pk_(live|test)_", var.clerk_publishable_key)), false)
    error_message = "With notebook_auth = \"clerk\", clerk_publishable_key must be a Clerk publishable key (pk_live_... or pk_test_...). Secret keys (sk_...) never go here."
  }
}

variable "clerk_jwt_key" {
  description = "CLERK_JWT_KEY: Clerk's PEM public key, to verify tokens without fetching the JWKS (optional; public)."
  type        = string
  default     = null

  validation {
    condition     = var.clerk_jwt_key == null || try(startswith(trimspace(var.clerk_jwt_key), "-----BEGIN PUBLIC KEY-----"), false)
    error_message = "clerk_jwt_key must be a PEM public key (-----BEGIN PUBLIC KEY-----)."
  }
}

variable "clerk_authorized_parties" {
  description = "CLERK_AUTHORIZED_PARTIES; empty derives https://<domain> from domain_names."
  type        = list(string)
  default     = []
}

variable "cors_origins" {
  description = "CORS_ORIGINS. Usually empty: CloudFront serves the front end and the API from one origin."
  type        = list(string)
  default     = []
}

variable "sql_allowed_hosts" {
  description = "SQL_ALLOWED_HOSTS: private hosts or CIDR ranges notebooks' connection strings may reach (pair with notebook_egress_rules)."
  type        = list(string)
  default     = []
}

variable "pyodide_package_base_url" {
  description = "PYODIDE_PACKAGE_BASE_URL: a self-hosted mirror of Pyodide's packages; null uses Pyodide's default CDN."
  type        = string
  default     = null
}

variable "extra_environment" {
  description = "Other plain environment variables of the server (NOTEBOOK_PLUGINS, ANTHROPIC_BASE_URL...). Keys Terraform sets itself win. Anything secret goes in secret_environment."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.extra_environment) : !can(regex("(?i)(secret|password|token|api_key|private)", k))])
    error_message = "extra_environment holds a key that looks secret (SECRET, PASSWORD, TOKEN, API_KEY, PRIVATE): store the value in SSM or Secrets Manager and reference it in secret_environment."
  }
}

variable "notebook_secret_key_arn" {
  description = "ARN of the SSM SecureString parameter or Secrets Manager secret holding NOTEBOOK_SECRET_KEY (32 random bytes, base64): it seals notebooks' database connection strings at rest, and the server refuses to start with sign-in on without it. Keep it: without it stored connection strings cannot be read."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:(ssm|secretsmanager):[a-z0-9-]+:[0-9]{12}:(parameter/|secret:)", var.notebook_secret_key_arn))
    error_message = "notebook_secret_key_arn must be the ARN of an SSM parameter (arn:aws:ssm:REGION:ACCOUNT:parameter/...) or a Secrets Manager secret holding NOTEBOOK_SECRET_KEY (make one with: openssl rand -base64 32)."
  }
}

variable "secret_environment" {
  description = "Secret environment variables of the server, name => ARN of an SSM parameter or Secrets Manager secret (for example ANTHROPIC_API_KEY)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k, v in var.secret_environment : can(regex("^[A-Z_][A-Z0-9_]*$", k)) && can(regex("^arn:aws[a-z-]*:(ssm|secretsmanager):[a-z0-9-]+:[0-9]{12}:(parameter/|secret:)", v))])
    error_message = "secret_environment maps UPPER_CASE variable names to ARNs of SSM parameters (arn:aws:ssm:...:parameter/...) or Secrets Manager secrets (arn:aws:secretsmanager:...:secret:...), never to values."
  }
}

variable "secrets_kms_key_arns" {
  description = "Customer-managed KMS keys encrypting those secrets (empty for AWS-managed keys)."
  type        = list(string)
  default     = []
}

# --- alarms ------------------------------------------------------------------

variable "alarm_email" {
  description = "Email subscribed to the alarms' SNS topic (confirm the subscription mail); null creates no topic."
  type        = string
  default     = null

  validation {
    condition     = var.alarm_email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", var.alarm_email))
    error_message = "alarm_email must be an email address."
  }
}

variable "alarm_topic_arns" {
  description = "Existing SNS topics the alarms notify as well (PagerDuty, Slack bridges)."
  type        = list(string)
  default     = []
}
