waf "shop" {
  lifecycle {
    prevent_destroy = var.protect
    ignore_changes  = ["site"]
  }
}
