# docker-mixed: the WAF runs as a local process (the `local` provider) and the
# applications run in containers, reached through the ports they publish on the host's
# loopback. The third deployment of the original WAF container guide.

rampart {
  backend "local" {
    path = "rampart.state"
  }
}

variable "http_port" {
  type        = number
  default     = 18200
  description = "Loopback port the WAF accepts HTTP traffic on."
}

variable "admin_port" {
  type        = number
  default     = 18201
  description = "Loopback port of the WAF's admin API."
}

variable "app1_address" {
  type        = string
  default     = "127.0.0.1:18281"
  description = "host:port the first application container is published on."
}

variable "app2_address" {
  type        = string
  default     = "127.0.0.1:18282"
  description = "host:port the second application container is published on."
}

waf "shop" {
  listen {
    address = "127.0.0.1"
    http    = var.http_port
  }

  admin {
    listen = "127.0.0.1:${var.admin_port}"
  }

  server_pool "apps" {
    member {
      address = var.app1_address
    }
    member {
      address = var.app2_address
    }
    health_check {
      path          = "/"
      interval      = "1s"
      expect_status = 200
    }
  }

  site "shop" {
    pool = "apps"
    policy {
      mode           = "block"
      paranoia_level = 1
    }
  }

  local {}
}

output "waf_url" {
  value = "http://127.0.0.1:${var.http_port}"
}
