variable "port" {
  type    = number
  default = "eighty"
}
variable "list" {
  type = list(strin)
}
variable "checked" {
  validation {
    condition     = var.checked != var.port
    error_message = "Must differ from the port."
  }
}
variable "bad name!" {}
