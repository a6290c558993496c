waf "shop" {
  lifecycle {
    ignore_changes = everything
  }
}
