package plugin

import "io"

// fanout copies every write to each of its writers. Unlike io.MultiWriter it ignores
// their errors: a failing log must not break the plugin's output stream.
type fanout []io.Writer

func (f fanout) Write(p []byte) (int, error) {
	for _, w := range f {
		_, _ = w.Write(p)
	}
	return len(p), nil
}
