// Package planfile reads and writes saved plans (`rampart plan -out FILE`). A plan file is
// one gzip'd JSON document with a format name and version; values travel as cty msgpack
// with their type, so unknown values and sensitive marks survive. Sensitive values are
// never written: they become nulls of the same type, still marked, and apply evaluates
// the configuration again for them.
package planfile

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/rampart-sec/rampart/internal/atomicfile"

	"github.com/rampart-sec/rampart/plans"
)

// maxPlanSize bounds what Read decompresses, so a hostile file cannot exhaust memory.
const maxPlanSize = 256 << 20

// Write saves p at path atomically, with mode 0600.
func Write(path string, p *plans.Plan) error {
	doc, err := toDocument(p)
	if err != nil {
		return fmt.Errorf("write plan %s: %w", path, err)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(doc); err != nil {
		return fmt.Errorf("write plan %s: %w", path, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("write plan %s: %w", path, err)
	}
	if err := atomicfile.Write(path, buf.Bytes(), 0o600); err != nil {
		return fmt.Errorf("write plan %s: %w", path, err)
	}
	return nil
}

// Read loads the plan saved at path.
func Read(path string) (*plans.Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read plan: %w", err)
	}
	data, err = gunzipIfNeeded(data)
	if err != nil {
		return nil, notAPlan(path, err.Error())
	}
	var header struct {
		Format        string `json:"format"`
		FormatVersion int    `json:"format_version"`
	}
	if err := json.Unmarshal(data, &header); err != nil {
		return nil, notAPlan(path, "not JSON")
	}
	if header.Format != formatName {
		return nil, notAPlan(path, "no rampart plan header")
	}
	if header.FormatVersion != plans.FormatVersion {
		return nil, notAPlan(path, fmt.Sprintf("plan file format version %d, this rampart reads version %d: run rampart plan again",
			header.FormatVersion, plans.FormatVersion))
	}
	var doc document
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, notAPlan(path, err.Error())
	}
	p, err := fromDocument(&doc)
	if err != nil {
		return nil, fmt.Errorf("read plan %s: %w", path, err)
	}
	return p, nil
}

func notAPlan(path, why string) error {
	return fmt.Errorf("%s is not a rampart plan file (%s)", path, why)
}

// gunzipIfNeeded accepts both the gzip'd file Write makes and plain JSON.
func gunzipIfNeeded(data []byte) ([]byte, error) {
	if len(data) < 2 || data[0] != 0x1f || data[1] != 0x8b {
		return data, nil
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("damaged gzip: %v", err)
	}
	out, err := io.ReadAll(io.LimitReader(zr, maxPlanSize+1))
	if err != nil {
		return nil, fmt.Errorf("damaged gzip: %v", err)
	}
	if len(out) > maxPlanSize {
		return nil, errors.New("larger than 256 MiB uncompressed")
	}
	return out, nil
}
