package inspect

import (
	"net/http"
	"slices"
	"testing"

	"github.com/rampart-sec/rampart/runtime/waf/config"
)

// TestCRSSetupTunesPhaseOneRules: crs_setup loads before the Core Rule Set, so phase-1
// rules such as 911100 (tx.allowed_methods) see its values; the same text as a custom
// rule loads after them, too late.
func TestCRSSetupTunesPhaseOneRules(t *testing.T) {
	const onlyGET = `SecAction "id:10010,phase:1,pass,nolog,t:none,setvar:'tx.allowed_methods=GET'"`
	post := func() *http.Request {
		return newRequest(http.MethodPost, "/form", "application/x-www-form-urlencoded", []byte("a=1"))
	}
	tests := []struct {
		name   string
		policy config.Policy
		want   bool
	}{
		{"crs_setup", config.Policy{CRSSetup: []string{onlyGET}}, true},
		{"custom_rules", config.Policy{CustomRules: []string{onlyGET}}, false},
		{"default", config.Policy{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := inspect(inspectorFor(t, &tt.policy), post(), []byte("a=1"))
			if got := slices.Contains(v.RuleIDs(), 911100); got != tt.want {
				t.Errorf("911100 matched %v, want %v (rules %v)", got, tt.want, v.RuleIDs())
			}
		})
	}
}
