package local

import (
	"bytes"
	"fmt"
	"io"
	"os"
)

// logTailLines is how much of runtime.log a failure diagnostic quotes.
const logTailLines = 10

// logTailBytes bounds how much of the log is read to find those lines.
const logTailBytes = 64 << 10

// lastLines returns the last n lines of the file at path, for error messages. A missing
// or unreadable log yields a sentence saying so instead.
func lastLines(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	offset := max(info.Size()-logTailBytes, 0)
	data, err := io.ReadAll(io.NewSectionReader(f, offset, info.Size()-offset))
	if err != nil {
		return fmt.Sprintf("(cannot read %s: %v)", path, err)
	}
	data = bytes.TrimRight(data, "\n")
	if len(data) == 0 {
		return fmt.Sprintf("(%s is empty)", path)
	}
	lines := bytes.Split(data, []byte("\n"))
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return string(bytes.Join(lines, []byte("\n")))
}
