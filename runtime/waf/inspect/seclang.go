package inspect

import (
	"fmt"
	"strings"
)

// Rules rampart generates from a policy take ids from an unassigned block of the
// ModSecurity id namespace; custom rules must not use it (Coraza refuses duplicate ids).
const (
	generatedRuleBase = 440_000
	// ArgumentsLimitRuleID refuses a request whose arguments exceed policy.arguments_limit:
	// the engine stops parsing there, so the rest would go uninspected (fail closed).
	ArgumentsLimitRuleID = generatedRuleBase + 900
	// BodyLimitRuleID names, in events, a request refused because its body is larger than
	// policy.request_body_limit; the proxy refuses it before any rule runs.
	BodyLimitRuleID = generatedRuleBase + 901
)

// directives returns the SecLang configuration of p in load order. The text decides the
// compiled engine completely, so it is also the key under which engines are shared.
//
//  1. Coraza's recommended engine configuration (body processors, body parse errors → 400);
//  2. rampart's engine settings for p (mode, limits, no audit log, no temporary files);
//  3. the CRS setup: paranoia level and anomaly thresholds, set before CRS initialisation
//     fills in its defaults, then the policy's crs_setup text (crs-setup.conf tuning);
//  4. exclusions, as runtime ctl rules in phase 1 so they apply before the rules they name;
//  5. the Core Rule Set (response rules only with response inspection);
//  6. the policy's custom rules, then the arguments-limit guard.
func directives(p *Policy) string {
	var b strings.Builder
	b.WriteString("Include @coraza.conf-recommended\n")

	engine := "On"
	if p.Mode == ModeDetect {
		engine = "DetectionOnly"
	}
	fmt.Fprintf(&b, "SecRuleEngine %s\n", engine)
	fmt.Fprintf(&b, "SecRequestBodyLimit %d\n", p.RequestBodyLimit)
	// Bodies are buffered by the proxy up to the limit before they reach the engine, so
	// the engine never needs to spill to disk.
	fmt.Fprintf(&b, "SecRequestBodyInMemoryLimit %d\n", p.RequestBodyLimit)
	b.WriteString("SecRequestBodyLimitAction ProcessPartial\n")
	fmt.Fprintf(&b, "SecArgumentsLimit %d\n", p.ArgumentsLimit)
	// JSON deeper than this is a parse error (rule 200002), not a stack-deep recursion.
	b.WriteString("SecRequestBodyJsonDepthLimit 256\n")
	b.WriteString("SecAuditEngine Off\n")
	if p.ResponseInspection {
		b.WriteString("SecResponseBodyAccess On\n")
		fmt.Fprintf(&b, "SecResponseBodyLimit %d\n", DefaultResponseBodyLimit)
		b.WriteString("SecResponseBodyLimitAction ProcessPartial\n")
		// The recommended configuration sets default actions for the request phases only;
		// without these the response rules, and the correlation rule of the logging phase
		// (980170), would match without logging. ModSecurity's built-in default logs too.
		b.WriteString("SecDefaultAction \"phase:3,log,auditlog,pass\"\n")
		b.WriteString("SecDefaultAction \"phase:4,log,auditlog,pass\"\n")
		b.WriteString("SecDefaultAction \"phase:5,log,auditlog,pass\"\n")
	} else {
		b.WriteString("SecResponseBodyAccess Off\n")
	}

	b.WriteString("Include @crs-setup.conf.example\n")
	fmt.Fprintf(&b, "SecAction \"id:900000,phase:1,pass,t:none,nolog,setvar:tx.blocking_paranoia_level=%d\"\n", p.ParanoiaLevel)
	fmt.Fprintf(&b, "SecAction \"id:900110,phase:1,pass,t:none,nolog,setvar:tx.inbound_anomaly_score_threshold=%d,setvar:tx.outbound_anomaly_score_threshold=%d\"\n",
		p.InboundThreshold, p.OutboundThreshold)
	for _, setup := range p.CRSSetup {
		b.WriteString(setup)
		b.WriteString("\n")
	}

	for i, e := range p.Exclusions {
		if ctl := exclusionActions(e.RuleIDs, e.Tags, e.Argument); ctl != "" {
			prefix := e.PathPrefix
			if prefix == "" {
				prefix = "/"
			}
			// normalizePath resolves /a/../b, so a prefix cannot be borrowed by a path
			// that leaves it.
			fmt.Fprintf(&b, "SecRule REQUEST_FILENAME \"@beginsWith %s\" \"id:%d,phase:1,pass,nolog,t:none,t:normalizePath,%s\"\n",
				prefix, generatedRuleBase+i, ctl)
		}
	}

	b.WriteString("Include @owasp_crs/REQUEST-*.conf\n")
	if p.ResponseInspection {
		b.WriteString("Include @owasp_crs/RESPONSE-*.conf\n")
	}

	for _, rules := range p.CustomRules {
		b.WriteString(rules)
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "SecRule ARGUMENTS_LIMIT_REACHED \"@eq 1\" \"id:%d,phase:2,deny,status:400,log,t:none,severity:'CRITICAL',tag:'rampart',msg:'Too many arguments: more than %d, the rest would go uninspected'\"\n",
		ArgumentsLimitRuleID, p.ArgumentsLimit)
	return b.String()
}

// exclusionActions are the ctl actions removing rules by id or tag, for the whole request
// or, with an argument, only for that argument.
func exclusionActions(ids []int, tags []string, argument string) string {
	var ctl []string
	for _, id := range ids {
		if argument == "" {
			ctl = append(ctl, fmt.Sprintf("ctl:ruleRemoveById=%d", id))
		} else {
			ctl = append(ctl, fmt.Sprintf("ctl:ruleRemoveTargetById=%d;ARGS:%s", id, argument))
		}
	}
	for _, tag := range tags {
		if argument == "" {
			ctl = append(ctl, "ctl:ruleRemoveByTag="+tag)
		} else {
			ctl = append(ctl, fmt.Sprintf("ctl:ruleRemoveTargetByTag=%s;ARGS:%s", tag, argument))
		}
	}
	return strings.Join(ctl, ",")
}
