package docker

import (
	"testing"

	"github.com/docker/docker/api/types/container"
	"github.com/zclconf/go-cty/cty"
)

func TestObservedImageRef(t *testing.T) {
	const id, other = "sha256:7c673e6e739a", "sha256:0123456789ab"
	prior := dockerPlacement(map[string]cty.Value{
		attrImageRef: cty.StringVal("rampart/waf:0.1.0-cd241e7e94b2"),
		attrImageID:  cty.StringVal(id),
	})
	tests := []struct {
		name  string
		image string // what the list reports as the container's image
		runs  string // the ID of the image it runs
		want  string
	}{
		{name: "tag still on the image", image: "rampart/waf:0.1.0-cd241e7e94b2", runs: id, want: "rampart/waf:0.1.0-cd241e7e94b2"},
		{name: "tag moved: same image as in state", image: id, runs: id, want: "rampart/waf:0.1.0-cd241e7e94b2"},
		{name: "another image than in state", image: other, runs: other, want: other},
		{name: "created from another reference", image: "registry.example/waf:2", runs: other, want: "registry.example/waf:2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := observedImageRef(container.Summary{Image: tc.image, ImageID: tc.runs}, prior); got != tc.want {
				t.Errorf("observedImageRef = %q, want %q", got, tc.want)
			}
		})
	}
}
