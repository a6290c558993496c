package admin

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// MetricsWriter writes the Prometheus text exposition format (version 0.0.4). It is small
// on purpose: runtimes keep their own atomic counters and only format them here on scrape.
type MetricsWriter struct {
	w   *bufio.Writer
	err error
}

// NewMetricsWriter returns a writer to w; call Flush when done.
func NewMetricsWriter(w io.Writer) *MetricsWriter {
	return &MetricsWriter{w: bufio.NewWriter(w)}
}

// Family starts a metric family: its # HELP and # TYPE lines. kind is counter, gauge or
// histogram. Write all samples of a family right after it.
func (m *MetricsWriter) Family(name, kind, help string) {
	m.write("# HELP ", name, " ", escapeHelp(help), "\n# TYPE ", name, " ", kind, "\n")
}

// Sample writes one sample. labels are name, value pairs.
func (m *MetricsWriter) Sample(name string, value float64, labels ...string) {
	m.write(name)
	if len(labels) > 0 {
		m.write("{")
		for i := 0; i+1 < len(labels); i += 2 {
			if i > 0 {
				m.write(",")
			}
			m.write(labels[i], `="`, escapeLabel(labels[i+1]), `"`)
		}
		m.write("}")
	}
	m.write(" ", strconv.FormatFloat(value, 'g', -1, 64), "\n")
}

// Histogram writes the _bucket, _sum and _count samples of a histogram. upperBounds and
// cumulativeCounts have the same length; the +Inf bucket is count.
func (m *MetricsWriter) Histogram(name string, upperBounds []float64, cumulativeCounts []uint64, sum float64, count uint64, labels ...string) {
	for i, bound := range upperBounds {
		le := strconv.FormatFloat(bound, 'g', -1, 64)
		m.Sample(name+"_bucket", float64(cumulativeCounts[i]), append(labels[:len(labels):len(labels)], "le", le)...)
	}
	m.Sample(name+"_bucket", float64(count), append(labels[:len(labels):len(labels)], "le", "+Inf")...)
	m.Sample(name+"_sum", sum, labels...)
	m.Sample(name+"_count", float64(count), labels...)
}

// Flush writes buffered output and returns the first error met.
func (m *MetricsWriter) Flush() error {
	if m.err != nil {
		return m.err
	}
	return m.w.Flush()
}

func (m *MetricsWriter) write(parts ...string) {
	for _, p := range parts {
		if m.err != nil {
			return
		}
		_, m.err = m.w.WriteString(p)
	}
}

var (
	labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	helpEscaper  = strings.NewReplacer(`\`, `\\`, "\n", `\n`)
)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }
