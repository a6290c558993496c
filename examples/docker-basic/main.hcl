# docker-basic: the WAF and two application containers on one user-defined network, as in
# the first deployment of the original WAF container guide. The applications are not
# published: only the WAF is, and it finds them through the Docker API (docker_discovery)
# on the network rampart creates for them.

rampart {
  backend "local" {
    path = "rampart.state"
  }
}

variable "http_port" {
  type        = number
  default     = 18100
  description = "Host port (on 127.0.0.1) the WAF is published on."
}

variable "network_name" {
  type        = string
  default     = "rampart_basic"
  description = "The user network rampart creates; start the application containers on it."
}

variable "network_subnet" {
  type        = string
  default     = "10.210.0.0/24"
  description = "Subnet of that network."
}

variable "app_image" {
  type        = string
  default     = "rampart-example/app"
  description = "Image of the application containers (any tag); the WAF pools every running container of it."
}

variable "app_name_contains" {
  type        = string
  default     = "basic-app"
  description = "Only containers whose name contains this join the pool."
}

variable "policy_mode" {
  type        = string
  default     = "block"
  description = "block or detect. Changing it reloads the WAF in place (SIGHUP), same container."
}

variable "waf_image" {
  type        = string
  default     = null
  description = "Image of the WAF container. Default: built by rampart from the rampart-waf binary."
}

waf "shop" {
  listen {
    address = "0.0.0.0"
    http    = 8080
  }

  # In a container the admin API listens on the container's address; it is not published,
  # rampart reaches it on the network.
  admin {
    listen = "0.0.0.0:9901"
  }

  server_pool "apps" {
    port = 8080
    docker_discovery {
      image         = var.app_image
      name_contains = var.app_name_contains
      network       = var.network_name
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
      mode           = var.policy_mode
      paranoia_level = 1
    }
  }

  docker {
    image          = var.waf_image
    ports          = { (var.http_port) = 8080 }
    dockerd_socket = true # read-only, for docker_discovery; the container joins the socket's group
    memory         = "256M"
    cpus           = 1

    managed_network {
      name   = var.network_name
      subnet = var.network_subnet
    }
  }
}

output "waf_url" {
  value = "http://127.0.0.1:${var.http_port}"
}
