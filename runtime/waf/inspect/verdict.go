package inspect

import (
	"strconv"

	"github.com/corazawaf/coraza/v3/experimental/plugins/plugintypes"
	"github.com/corazawaf/coraza/v3/types"
)

// maxTargetLen bounds the variable name copied into a Match (and so into logs): argument
// names are chosen by the client.
const maxTargetLen = 96

// Verdict is the outcome of inspecting a request, and then its response. Only rules that
// log are reported; the zero Verdict means nothing matched.
type Verdict struct {
	// Blocked is true when the rules refused the exchange (block mode only).
	Blocked bool
	// Status is the HTTP status to answer with when Blocked (403 unless a rule chose).
	Status int
	// BlockingRuleID is the rule whose disruptive action refused the exchange.
	BlockingRuleID int
	// Matches lists every logged rule that matched, in evaluation order.
	Matches []Match
	// InboundScore and OutboundScore are the Core Rule Set anomaly scores at the
	// blocking paranoia level.
	InboundScore  int
	OutboundScore int

	// matched are the engine's records of Matches (same order), for LogData.
	matched []types.MatchedRule
}

// Matched reports whether any logged rule matched.
func (v *Verdict) Matched() bool { return len(v.Matches) > 0 }

// RuleIDs lists the ids of the matched rules, in order.
func (v *Verdict) RuleIDs() []int {
	ids := make([]int, len(v.Matches))
	for i, m := range v.Matches {
		ids[i] = m.RuleID
	}
	return ids
}

// Match is one rule that matched. It carries no request data (values can be passwords or
// tokens), only where the rule matched.
type Match struct {
	RuleID   int
	Message  string
	Severity string // emergency … debug; empty when the rule sets none
	// Target is the variable that matched, such as ARGS:id or REQUEST_HEADERS:user-agent.
	Target string
}

// LogData returns the log data of each of v.Matches, in the same order: what the rule
// quotes of the request, such as the Core Rule Set's "Matched Data: X found within
// ARGS:q: <value>"; empty for a rule without logdata. It is request content (passwords,
// cookies, tokens), so events carry it only when events.log_matched_data asks. Like the
// verdict, it is valid until the transaction's Close.
func (v *Verdict) LogData() []string {
	if len(v.matched) != len(v.Matches) {
		return nil // a verdict made outside a transaction (a refused body)
	}
	data := make([]string, len(v.matched))
	for i, mr := range v.matched {
		data[i] = mr.Data()
	}
	return data
}

func (v *Verdict) reset() {
	*v = Verdict{Matches: v.Matches[:0], matched: v.matched[:0]}
}

// collect fills v from the transaction after a phase: matched rules, interruption, scores.
func (v *Verdict) collect(tx types.Transaction, paranoia int) {
	v.Matches, v.matched = v.Matches[:0], v.matched[:0]
	for _, mr := range tx.MatchedRules() {
		rule := mr.Rule()
		if rule.ID() == 0 || !logs(mr) {
			continue
		}
		v.matched = append(v.matched, mr)
		v.Matches = append(v.Matches, Match{
			RuleID:   rule.ID(),
			Message:  mr.Message(),
			Severity: severity(rule),
			Target:   target(mr),
		})
	}
	if it := tx.Interruption(); it != nil {
		v.Blocked = true
		v.BlockingRuleID = it.RuleID
		v.Status = it.Status
		if v.Status < 400 || v.Status > 599 {
			v.Status = 403
		}
	}
	if len(v.Matches) > 0 {
		v.InboundScore, v.OutboundScore = anomalyScores(tx, paranoia)
	}
}

// logs reports whether a matched rule is one the Core Rule Set means to be seen: rules
// marked nolog (initialisation, flow control, exclusions) are bookkeeping.
func logs(mr types.MatchedRule) bool {
	if l, ok := mr.(interface{ Log() bool }); ok {
		return l.Log()
	}
	return true
}

func severity(rule types.RuleMetadata) string {
	if rule.Severity() == types.RuleSeverityUnset {
		return ""
	}
	return rule.Severity().String()
}

func target(mr types.MatchedRule) string {
	datas := mr.MatchedDatas()
	if len(datas) == 0 {
		return ""
	}
	md := datas[0]
	name := md.Variable().Name()
	if md.Key() != "" {
		name += ":" + md.Key()
	}
	if len(name) > maxTargetLen {
		name = name[:maxTargetLen]
	}
	return name
}

// anomalyScores reads the scores the Core Rule Set computed. The blocking totals exist
// once the blocking evaluation ran (end of phase 2 and 4); a request refused earlier, for
// instance for an unparsable body, gets the sum of the per-level scores so far.
func anomalyScores(tx types.Transaction, paranoia int) (inbound, outbound int) {
	state, ok := tx.(plugintypes.TransactionState)
	if !ok {
		return 0, 0
	}
	vars := state.Variables().TX()
	read := func(total, perLevel string) int {
		if v := vars.Get(total); len(v) > 0 {
			n, _ := strconv.Atoi(v[0])
			return n
		}
		sum := 0
		for pl := 1; pl <= paranoia; pl++ {
			if v := vars.Get(perLevel + strconv.Itoa(pl)); len(v) > 0 {
				n, _ := strconv.Atoi(v[0])
				sum += n
			}
		}
		return sum
	}
	return read("blocking_inbound_anomaly_score", "inbound_anomaly_score_pl"),
		read("blocking_outbound_anomaly_score", "outbound_anomaly_score_pl")
}
