waf "shop" {
  listen {
    http =
  }
}
