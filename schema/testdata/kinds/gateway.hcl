gateway "dc1" {
  listen {
    address = "127.0.0.1"
    proxy   = 1080
    cache   = 8080
  }
  admin { listen = "127.0.0.1:9911" }
  allowed_domains = ["updates.example.com", "packages.example.org"]
  local {}
}
