package protocol

import (
	"reflect"
	"testing"

	"google.golang.org/protobuf/proto"
)

// TestWireMessagesCoverGoTypes fails when a field is added to a type in types.go without
// a matching field in rampart.proto (and, so, in the conversion code): such a field would
// silently never reach the other side.
func TestWireMessagesCoverGoTypes(t *testing.T) {
	tests := []struct {
		goType any
		wire   proto.Message
		extra  int // wire fields with no Go field
	}{
		{ProviderSchema{}, &GetSchema_Response{}, 1}, // + diagnostics
		{PlacementSchema{}, &WirePlacementSchema{}, 0},
		{Schema{}, &WireSchema{}, 0},
		{Attribute{}, &WireAttribute{}, 0},
		{NestedBlock{}, &WireNestedBlock{}, 0},
		{Diagnostic{}, &WireDiagnostic{}, 0},
		{Instance{}, &WireInstance{}, 0},
		{InstanceValue{}, &WireInstanceValue{}, 0},
		{ValidateRequest{}, &ValidateConfig_Request{}, 0},
		{ObserveRequest{}, &Observe_Request{}, 0},
		{ObserveInstance{}, &Observe_Instance{}, 0},
		{ObserveResponse{}, &Observe_Response{}, 0},
		{Observed{}, &WireObserved{}, 0},
		{Status{}, &WireStatus{}, 0},
		{PlanRequest{}, &Plan_Request{}, 1}, // + observed_is_prior (a wire shortcut)
		{PlanResponse{}, &Plan_Response{}, 0},
		{ApplyRequest{}, &Apply_Request{}, 0},
		{ApplyEvent{}, &Apply_Progress{}, 0},
		{ApplyResponse{}, &Apply_Result{}, 0},
		{ReadRequest{}, &Read_Request{}, 0},
		{ReadResponse{}, &Read_Response{}, 0},
		{ImportRequest{}, &Import_Request{}, 0},
		{ImportResponse{}, &Import_Response{}, 0},
	}
	for _, tc := range tests {
		goFields := reflect.TypeOf(tc.goType).NumField()
		wireFields := tc.wire.ProtoReflect().Descriptor().Fields().Len() - tc.extra
		if goFields != wireFields {
			t.Errorf("%T has %d fields but %s carries %d: update rampart.proto, run generate.sh and the conversion code",
				tc.goType, goFields, tc.wire.ProtoReflect().Descriptor().FullName(), wireFields)
		}
	}
}
