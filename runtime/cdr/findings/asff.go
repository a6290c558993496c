package findings

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rampart-sec/rampart/runtime/cdr/config"
)

// ASFF renders findings in the AWS Security Finding Format (schema 2018-10-08) as a custom
// product integration: ProductArn arn:aws:securityhub:REGION:ACCOUNT:product/ACCOUNT/default.
type ASFF struct {
	Region    string
	AccountID string
}

// asffTypes maps finding types to ASFF "namespace/category/classifier" types.
var asffTypes = map[string]string{
	TypePortScan:        "TTPs/Discovery/Port Scan",
	TypeAddressScan:     "TTPs/Discovery/Address Scan",
	TypeRandomScan:      "TTPs/Discovery/Network Scan",
	TypeCoinMiner:       "Effects/Resource Consumption/Cryptomining",
	TypeMinerBinary:     "TTPs/Execution/Cryptominer Download",
	TypeBeacon:          "TTPs/Command and Control/Beaconing",
	TypeDGA:             "TTPs/Command and Control/Domain Generation Algorithm",
	TypeDNSTunnel:       "TTPs/Command and Control/DNS Tunneling",
	TypeIndicatorIP:     "TTPs/Command and Control/Known Bad IP",
	TypeIndicatorDomain: "TTPs/Command and Control/Known Bad Domain",
	TypeIndicatorJA3:    "TTPs/Command and Control/Known Bad TLS Fingerprint",
}

// NewASFFFormat takes the region and account from the settings, falling back to the SNS
// topic ARN (arn:aws:sns:REGION:ACCOUNT:NAME) and then to us-east-1 for the region.
func NewASFFFormat(c *config.ASFF) ASFF {
	a := ASFF{Region: c.Region, AccountID: c.AccountID}
	if parts := strings.Split(c.SNSTopicARN, ":"); len(parts) == 6 {
		if a.Region == "" {
			a.Region = parts[3]
		}
		if a.AccountID == "" {
			a.AccountID = parts[4]
		}
	}
	if a.Region == "" {
		a.Region = "us-east-1"
	}
	return a
}

// Document returns the ASFF document of a finding.
func (a ASFF) Document(f *Finding) map[string]any {
	typ := asffTypes[f.Type]
	if typ == "" {
		typ = "Unusual Behaviors/Network Flow/" + f.Type
	}
	created := f.FirstSeen.UTC().Format(time.RFC3339Nano)
	updated := f.LastSeen.UTC().Format(time.RFC3339Nano)
	resourceID := f.ENI
	resourceType := "AwsEc2NetworkInterface"
	if resourceID == "" {
		resourceID, resourceType = "host/"+f.Source, "Other"
	}
	doc := map[string]any{
		"SchemaVersion":   "2018-10-08",
		"Id":              fmt.Sprintf("%s/%s/rampart-cdr/%s", a.Region, a.AccountID, f.ID),
		"ProductArn":      fmt.Sprintf("arn:aws:securityhub:%s:%s:product/%s/default", a.Region, a.AccountID, a.AccountID),
		"GeneratorId":     "rampart-cdr/" + f.Type,
		"AwsAccountId":    a.AccountID,
		"Types":           []string{typ},
		"CreatedAt":       created,
		"UpdatedAt":       updated,
		"FirstObservedAt": created,
		"LastObservedAt":  updated,
		"Severity":        map[string]any{"Label": SeverityLabel(f.Severity), "Original": fmt.Sprint(f.Severity)},
		"Title":           truncate(nonEmpty(f.Title, f.Type), 256),
		"Description":     truncate(a.description(f), 1024),
		"Resources":       []map[string]any{{"Type": resourceType, "Id": resourceID, "Partition": "aws", "Region": a.Region}},
		"ProductFields":   a.productFields(f),
		"RecordState":     "ACTIVE",
	}
	if n := network(f); n != nil {
		doc["Network"] = n
	}
	return doc
}

func (a ASFF) description(f *Finding) string {
	d := fmt.Sprintf("rampart-cdr detected %s from %s", f.Type, f.Source)
	if f.Destination != "" {
		d += " to " + f.Destination
	}
	if f.VNI != 0 {
		d += fmt.Sprintf(" (mirror VNI %d)", f.VNI)
	}
	return d + fmt.Sprintf(", seen %d time(s).", max(f.Count, 1))
}

// productFields flattens the evidence into the string map ASFF allows (at most 50 keys).
func (a ASFF) productFields(f *Finding) map[string]string {
	pf := map[string]string{"rampart/type": f.Type, "rampart/count": fmt.Sprint(f.Count), "rampart/source": f.Source}
	if f.Destination != "" {
		pf["rampart/destination"] = f.Destination
	}
	keys := make([]string, 0, len(f.Evidence))
	for k := range f.Evidence {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if len(pf) >= 50 {
			break
		}
		v := f.Evidence[k]
		s, ok := v.(string)
		if !ok {
			b, _ := json.Marshal(v)
			s = string(b)
		}
		pf["rampart/evidence/"+k] = truncate(s, 2048)
	}
	return pf
}

// network fills ASFF's Network object from "ip" or "ip:port" endpoints when they parse.
func network(f *Finding) map[string]any {
	src, _ := splitEndpoint(f.Source)
	dst, port := splitEndpoint(f.Destination)
	if src == "" {
		return nil
	}
	n := map[string]any{"Direction": "OUT"}
	if strings.Contains(src, ":") {
		n["SourceIpV6"] = src
	} else {
		n["SourceIpV4"] = src
	}
	if dst != "" {
		if strings.Contains(dst, ":") {
			n["DestinationIpV6"] = dst
		} else {
			n["DestinationIpV4"] = dst
		}
	}
	if port > 0 {
		n["DestinationPort"] = port
	}
	return n
}

func nonEmpty(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// ASFFFile appends one ASFF document per line to a file.
type ASFFFile struct {
	format ASFF
	log    *JSONLog
}

// NewASFFFile opens the file of the settings.
func NewASFFFile(c *config.ASFF) (*ASFFFile, error) {
	l, err := NewJSONLog(c.File)
	if err != nil {
		return nil, fmt.Errorf("asff file: %w", err)
	}
	return &ASFFFile{format: NewASFFFormat(c), log: l}, nil
}

// Name implements Sink.
func (a *ASFFFile) Name() string { return "asff_file" }

// Send implements Sink.
func (a *ASFFFile) Send(_ context.Context, f *Finding) error {
	line, err := json.Marshal(a.format.Document(f))
	if err != nil {
		return fmt.Errorf("encode asff: %w", err)
	}
	_, err = a.log.w.Write(append(line, '\n'))
	return err
}

// Close implements Sink.
func (a *ASFFFile) Close() error { return a.log.Close() }
