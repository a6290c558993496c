//go:build !unix

package proxy

import "errors"

var errTooManyFiles = errors.New("too many open files")
