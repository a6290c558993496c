# A network detection sensor fed by local traffic mirroring: mirror.sh copies the frames of
# a workload namespace's interface into a VXLAN device (VNI 4242, UDP 4789), exactly as
# AWS VPC Traffic Mirroring delivers them to a mirror target, and this sensor decodes them.
#
#   sudo ./mirror.sh up                                  # namespaces rcdr-wl, rcdr-peer, rcdr-sensor
#   sudo ip netns exec rcdr-sensor rampart init
#   sudo ip netns exec rcdr-sensor rampart apply         # the sensor runs in rcdr-sensor
#   sudo ip netns exec rcdr-wl nmap -sS -Pn -p 1-100 10.77.0.2
#   tail findings.jsonl                                  # a port_scan finding
#   sudo ip netns exec rcdr-sensor rampart destroy && sudo ./mirror.sh down

rampart {
  backend "local" {
    path = "rampart.state"
  }
}

variable "findings_log" {
  type        = string
  default     = "findings.jsonl"
  description = "File that receives one JSON document per finding."
}

variable "admin_socket" {
  type        = string
  default     = "/tmp/rampart-cdr-local.sock"
  description = "Unix socket of the sensor's admin API, reachable from outside the namespace."
}

cdr_sensor "local" {
  listen {
    address = "10.78.0.2" # mir1, the sensor's end of the mirror link (mirror.sh)
    vxlan   = 4789
  }

  admin {
    listen = "unix:${var.admin_socket}"
  }

  filter {
    vnis = [4242] # only the mirror session of mirror.sh
  }

  flows {
    attempt_timeout = "1s" # a SYN unanswered for 1 s is a failed attempt
  }

  detections {
    scan {
      threshold = 25 # unique (host, port) pairs without an answer, Zeek's default
    }
    beacon {
      # Scored every second and from 20 connections, so a demo beacon is found in
      # seconds; production keeps the defaults (10 minutes, 20 connections, 24 hours).
      min_connections = 20
      score_every     = "1s"
      window          = "10m"
    }
  }

  findings {
    json_log = var.findings_log
  }

  # Run the sensor as a local process (in the namespace rampart itself runs in).
  local {}
}
