cdr_sensor "vpc" {
  listen {
    address = "127.0.0.1"
    vxlan   = 4789
  }
  admin { listen = "127.0.0.1:9931" }
  local {}
}
