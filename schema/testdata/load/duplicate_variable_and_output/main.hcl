variable "x" {}
variable "x" {}
output "y" { value = 1 }
output "y" { value = 2 }
