package filedigest

import (
	"io/fs"
	"os"
	"syscall"
)

// identity is what proves that a file has not changed since it was hashed.
type identity struct {
	Device      uint64 `json:"device"`
	Inode       uint64 `json:"inode"`
	Size        int64  `json:"size"`
	ModNanos    int64  `json:"mod_nanos"`
	ChangeNanos int64  `json:"change_nanos"`
}

// statIdentity returns the file's identity; known is false where the platform cannot
// tell one (then nothing is remembered).
func statIdentity(path string) (id identity, known bool, err error) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		return identity{}, false, &fs.PathError{Op: "stat", Path: path, Err: err}
	}
	return identity{
		Device:      st.Dev,
		Inode:       st.Ino,
		Size:        st.Size,
		ModNanos:    st.Mtim.Nano(),
		ChangeNanos: st.Ctim.Nano(),
	}, true, nil
}

func ownedByCurrentUser(info fs.FileInfo) bool {
	st, ok := info.Sys().(*syscall.Stat_t)
	return ok && int(st.Uid) == os.Getuid()
}
