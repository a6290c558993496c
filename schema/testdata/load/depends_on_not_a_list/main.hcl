waf "shop" {
  depends_on = gateway.dc1
}
