package state

import (
	"io"
	"os"
)

// keepBackup makes backup a copy of path, if path exists. A hard link costs no copy; where
// the file system has none, the bytes are copied. Either way backup is replaced
// atomically.
func keepBackup(path, backup string) error {
	tmp := backup + ".tmp-" + randomHex(4)
	err := os.Link(path, tmp)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		if err := copyFile(path, tmp); err != nil {
			os.Remove(tmp)
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
	}
	if err := os.Rename(tmp, backup); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}
