waf "shop" {
  lifecycel {
    prevent_destroy = true
  }
}
