package sdk

import (
	"reflect"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

func TestChangedAttributes(t *testing.T) {
	value := func(port int64, hosts ...string) cty.Value {
		list := cty.ListValEmpty(cty.String)
		if len(hosts) > 0 {
			var hs []cty.Value
			for _, h := range hosts {
				hs = append(hs, cty.StringVal(h))
			}
			list = cty.ListVal(hs)
		}
		return cty.ObjectVal(map[string]cty.Value{
			"listen": cty.ObjectVal(map[string]cty.Value{"http": cty.NumberIntVal(port)}),
			"site":   list,
			"admin":  cty.StringVal("127.0.0.1:9901").Mark("sensitive"),
		})
	}
	prev := value(8080)
	if got := ChangedAttributes(prev, value(8081, "shop.example.com")); !reflect.DeepEqual(got, []string{"listen", "site"}) {
		t.Errorf("ChangedAttributes = %v, want [listen site]", got)
	}
	if got := ChangedAttributes(prev, value(8080)); len(got) != 0 {
		t.Errorf("ChangedAttributes of equal values = %v, want none", got)
	}
	// An empty list and a null one are the same (no phantom change).
	nullSite := cty.ObjectVal(map[string]cty.Value{
		"listen": cty.ObjectVal(map[string]cty.Value{"http": cty.NumberIntVal(8080)}),
		"site":   cty.NullVal(cty.List(cty.String)),
		"admin":  cty.StringVal("127.0.0.1:9901"),
	})
	if got := ChangedAttributes(prev, nullSite); len(got) != 0 {
		t.Errorf("ChangedAttributes(empty list, null list) = %v, want none", got)
	}
}
