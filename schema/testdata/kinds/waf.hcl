waf "shop" {
  listen {
    address = "127.0.0.1"
    http    = 8080
  }
  admin { listen = "127.0.0.1:9901" }
  events { syslog = "udp://127.0.0.1:514" }
  server_pool "app" {
    load_balancing = "leastconn"
    member {
      address = "127.0.0.1:9000"
      weight  = 3
    }
    health_check {
      path          = "/healthz"
      interval      = "5s"
      timeout       = "1s"
      expect_status = 200
    }
  }
  site "shop" {
    hostnames = ["shop.example.com"]
    pool      = "app"
    policy {
      mode           = "detect"
      paranoia_level = 2
    }
  }
  local {}
}
