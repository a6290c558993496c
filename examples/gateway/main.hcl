# Gateway example: a forward proxy that lets agents reach one application and nothing else,
# all on loopback. The application (the quickstart's backend) is called shop.internal; a
# host mapping points that name at 127.0.0.1, and allow_private lets this one entry reach
# a loopback address, which the gateway refuses for every other name.
#
#   rampart init && rampart apply
#   curl -x http://127.0.0.1:19080 http://shop.internal:19090/   # allowed
#   curl -x http://127.0.0.1:19080 http://169.254.169.254/       # 403: metadata address
#   rampart status                                               # unique IPs, ports, TLS minimum

rampart {
  backend "local" {
    path = "rampart.state"
  }
}

variable "proxy_port" {
  type        = number
  default     = 19080
  description = "Loopback port of the gateway's proxy port (agents' HTTP proxy)."
}

variable "cache_port" {
  type        = number
  default     = 19081
  description = "Loopback port of the gateway's cache port."
}

variable "admin_port" {
  type        = number
  default     = 19082
  description = "Loopback port of the gateway's admin API (/healthz, /status, /metrics)."
}

variable "origin_port" {
  type        = number
  default     = 19090
  description = "Port the application listens on, on 127.0.0.1."
}

gateway "edge" {
  listen {
    address = "127.0.0.1"
    proxy   = var.proxy_port
    cache   = var.cache_port
  }

  admin {
    listen = "127.0.0.1:${var.admin_port}"
  }

  # Only the destinations below: no operating-system mirrors in this example.
  no_default_domains = true
  require_sni_match  = true

  allow "shop.internal" {
    http_ports    = [var.origin_port]
    tunnel_ports  = [443]
    allow_private = true
  }

  host_mappings = {
    "shop.internal" = "127.0.0.1"
  }

  tls_min_version = "1.2"

  timeouts {
    idle = "2m"
  }

  # Placement: run the gateway as a local background process.
  local {}
}

output "proxy_url" {
  value = "http://127.0.0.1:${var.proxy_port}"
}
