# Alarms on the notebook table. On-demand tables have no capacity to run out
# of, but a single partition (one owner's notebooks) still serves at most about
# 1,000 write units per second, and the table has an account-level ceiling:
# throttling is the signal that either was reached.

locals {
  operations = toset(["GetItem", "PutItem", "Query"])
}

resource "aws_cloudwatch_metric_alarm" "read_throttles" {
  alarm_name          = "${var.name}-dynamodb-read-throttles"
  alarm_description   = "Reads of the notebook table are throttled (a hot owner partition or the table's on-demand ceiling)."
  namespace           = "AWS/DynamoDB"
  metric_name         = "ReadThrottleEvents"
  dimensions          = { TableName = var.table_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 2
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "write_throttles" {
  alarm_name          = "${var.name}-dynamodb-write-throttles"
  alarm_description   = "Writes to the notebook table are throttled: saves of cells and outputs are delayed or failing."
  namespace           = "AWS/DynamoDB"
  metric_name         = "WriteThrottleEvents"
  dimensions          = { TableName = var.table_name }
  statistic           = "Sum"
  period              = 60
  evaluation_periods  = 5
  datapoints_to_alarm = 2
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "system_errors" {
  for_each            = local.operations
  alarm_name          = "${var.name}-dynamodb-${lower(each.key)}-errors"
  alarm_description   = "DynamoDB answers ${each.key} with server errors (HTTP 500)."
  namespace           = "AWS/DynamoDB"
  metric_name         = "SystemErrors"
  dimensions          = { TableName = var.table_name, Operation = each.key }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}

resource "aws_cloudwatch_metric_alarm" "latency" {
  for_each            = local.operations
  alarm_name          = "${var.name}-dynamodb-${lower(each.key)}-latency"
  alarm_description   = "${each.key} on the notebook table averages above ${var.latency_threshold_ms} ms (large notebook items are the usual cause)."
  namespace           = "AWS/DynamoDB"
  metric_name         = "SuccessfulRequestLatency"
  dimensions          = { TableName = var.table_name, Operation = each.key }
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 3
  threshold           = var.latency_threshold_ms
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  ok_actions          = var.alarm_actions
}
