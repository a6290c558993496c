package flow

import "github.com/rampart-sec/rampart/runtime/cdr/detect"

type nopSink struct{}

func (nopSink) ConnAttempt(*detect.ConnAttempt) {}
func (nopSink) FlowEnd(*detect.FlowEnd)         {}
func (nopSink) DNS(*detect.DNS)                 {}
func (nopSink) TLSHello(*detect.TLSHello)       {}
func (nopSink) HTTPRequest(*detect.HTTPRequest) {}
func (nopSink) Payload(*Payload)                {}
