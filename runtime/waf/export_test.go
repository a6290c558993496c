package waf

import "github.com/rampart-sec/rampart/runtime/waf/overload"

// InspectionLimiter lets tests hold inspection slots to create overload on demand.
func (s *Server) InspectionLimiter() *overload.Limiter { return s.current.Load().limiter }
