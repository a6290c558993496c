package state

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// writeFileAtomic replaces path with data: the data goes to a temporary file in the same
// directory, is synced, and is renamed over path; then the directory is synced so the
// rename itself survives a crash. Readers see the old or the new file, never a mix.
// Before the rename, beforeRename runs (Local uses it to keep the previous file).
func writeFileAtomic(path string, data []byte, beforeRename func() error) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+".tmp-*") // mode 0600
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	renamed := false
	defer func() {
		if !renamed {
			os.Remove(tmpName)
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if beforeRename != nil {
		if err := beforeRename(); err != nil {
			return err
		}
	}
	if err := os.Rename(tmpName, path); err != nil {
		return err
	}
	renamed = true
	return syncDir(dir)
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	return nil
}

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
