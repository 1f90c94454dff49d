variable "name" {
  description = "Prefix for every alarm name."
  type        = string
}

variable "table_name" {
  description = "Notebook table to watch."
  type        = string
}

variable "latency_threshold_ms" {
  description = "Average latency (milliseconds) of GetItem, PutItem or Query above which an alarm fires."
  type        = number
}

variable "alarm_actions" {
  description = "SNS topics notified when an alarm fires."
  type        = list(string)
}
