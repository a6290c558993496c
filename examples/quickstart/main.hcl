# Quickstart: a web application firewall in front of a small backend, all on loopback.
# `make demo` runs it end to end; README.md walks through it step by step.

rampart {
  backend "local" {
    path = "rampart.state"
  }
}

variable "waf_port" {
  type        = number
  default     = 18000
  description = "Loopback port the WAF accepts HTTP traffic on."
}

variable "admin_port" {
  type        = number
  default     = 18001
  description = "Loopback port of the WAF's admin API (/healthz, /status, /metrics)."
}

variable "backend_address" {
  type        = string
  default     = "127.0.0.1:18080"
  description = "host:port of the application the WAF protects."
}

waf "shop" {
  listen {
    address = "127.0.0.1"
    http    = var.waf_port
  }

  admin {
    listen = "127.0.0.1:${var.admin_port}"
  }

  server_pool "app" {
    member {
      address = var.backend_address
    }
    health_check {
      path          = "/healthz"
      interval      = "2s"
      expect_status = 200
    }
  }

  # No hostnames: this is the default site, whatever the Host header says.
  site "shop" {
    pool = "app"
    policy {
      mode           = "block"
      paranoia_level = 1
    }
  }

  # Placement: run the WAF as a local background process. This is the default when an
  # appliance declares no placement block; it is written out here to show where a
  # `docker { ... }` block would go instead.
  local {}
}

output "waf_url" {
  value = "http://127.0.0.1:${var.waf_port}"
}
