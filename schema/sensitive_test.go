package schema

import (
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestMarkSensitiveMarksSecretsOnly(t *testing.T) {
	ty := RuntimeType("waf")
	attrs := map[string]cty.Value{}
	for name, at := range ty.AttributeTypes() {
		attrs[name] = cty.NullVal(at)
	}
	tlsType := ty.AttributeType("tls")
	tlsAttrs := map[string]cty.Value{}
	for name, at := range tlsType.AttributeTypes() {
		tlsAttrs[name] = cty.NullVal(at)
	}
	tlsAttrs["certificate"] = cty.StringVal("-----BEGIN CERTIFICATE-----")
	tlsAttrs["private_key"] = cty.StringVal("-----BEGIN ENCRYPTED PRIVATE KEY-----")
	tlsAttrs["passphrase"] = cty.StringVal("hunter22")
	attrs["tls"] = cty.ObjectVal(tlsAttrs)
	v := cty.ObjectVal(attrs)

	marked := MarkSensitive("waf", v)
	tls := marked.GetAttr("tls")
	for name, want := range map[string]bool{"private_key": true, "passphrase": true, "certificate": false, "min_version": false} {
		if got := tls.GetAttr(name).IsMarked(); got != want {
			t.Errorf("tls.%s marked = %v, want %v", name, got, want)
		}
	}
	if marked.GetAttr("listen").ContainsMarked() {
		t.Error("listen was marked")
	}
	// Null blocks and unknown values pass through untouched.
	if got := MarkSensitive("waf", cty.ObjectVal(map[string]cty.Value{"tls": cty.NullVal(tlsType)})); got.ContainsMarked() {
		t.Error("a null tls block came back marked")
	}
	if got := MarkSensitive("waf", cty.UnknownVal(ty)); got.IsKnown() {
		t.Error("an unknown value became known")
	}
}
