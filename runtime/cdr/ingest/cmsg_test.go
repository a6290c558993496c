package ingest

import (
	"syscall"
	"unsafe"
)

func cmsg(b []byte) *syscall.Cmsghdr { return (*syscall.Cmsghdr)(unsafe.Pointer(&b[0])) }
func headerLen() int                 { return int(unsafe.Sizeof(syscall.Cmsghdr{})) }
