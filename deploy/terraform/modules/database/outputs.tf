output "alarm_names" {
  description = "Names of the table's alarms."
  value = concat(
    [aws_cloudwatch_metric_alarm.read_throttles.alarm_name, aws_cloudwatch_metric_alarm.write_throttles.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.system_errors : a.alarm_name],
    [for a in aws_cloudwatch_metric_alarm.latency : a.alarm_name],
  )
}
