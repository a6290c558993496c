// Package atomicfile replaces files so that a reader sees the old or the new content, never
// a mix, and a crash at any moment leaves one of the two. State, plan files, the plugin
// lock file and the configs a runtime reloads on SIGHUP are all written this way.
package atomicfile

import (
	"fmt"
	"os"
	"path/filepath"
)

// Write replaces path with data and gives it mode perm.
func Write(path string, data []byte, perm os.FileMode) error {
	return Replace(path, data, perm, nil)
}

// Replace is Write with a hook: beforeRename runs once the new content is safely on disk
// and just before it replaces path (the state backend keeps the previous file as a backup
// there). The data goes to a temporary file in the same directory, is synced and renamed
// over path; then the directory is synced so the rename itself survives a crash.
func Replace(path string, data []byte, perm os.FileMode, beforeRename func() error) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	fail := func(err error) error {
		tmp.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := tmp.Chmod(perm); err != nil {
		return fail(err)
	}
	if _, err := tmp.Write(data); err != nil {
		return fail(err)
	}
	if err := tmp.Sync(); err != nil {
		return fail(err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if beforeRename != nil {
		if err := beforeRename(); err != nil {
			return err
		}
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
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
