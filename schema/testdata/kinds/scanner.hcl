scanner "dmz" {
  targets = ["127.0.0.1", "10.0.0.0/24"]
  ports   = "1-1024"
  admin { listen = "127.0.0.1:9921" }
  local {}
}
