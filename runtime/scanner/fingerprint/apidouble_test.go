package fingerprint

// Test doubles for the Docker Engine API and the Kubernetes API server: neither can run here
// (a second dockerd on TCP would control this machine; there is no Kubernetes). They answer
// with the documented shapes: Docker's Api-Version and Server headers and GET /version body
// (Docker Engine API v1.51 reference), Kubernetes' metav1.Status JSON for refused requests,
// version.Info for GET /version and a NamespaceList for GET /api/v1/namespaces.

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"testing"
)

var quietLog = log.New(io.Discard, "", 0)

func dockerAPIDouble(t *testing.T) int {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.51")
		w.Header().Set("Server", "Docker/28.5.2 (linux)")
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/version" {
			_, _ = w.Write([]byte(`{"Platform":{"Name":"Docker Engine - Community"},"Version":"28.5.2","ApiVersion":"1.51","MinAPIVersion":"1.24","Os":"linux","Arch":"amd64"}`))
			return
		}
		w.WriteHeader(http.StatusNotFound)
		_, _ = w.Write([]byte(`{"message":"page not found"}`))
	}))
	srv.Config.ErrorLog = quietLog
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().(*net.TCPAddr).Port
}

// kubernetesDouble answers like an API server; anonymousCanList grants system:anonymous
// read access (the weakness), otherwise anonymous requests are authenticated but forbidden.
func kubernetesDouble(t *testing.T, anonymousCanList bool) int {
	t.Helper()
	forbidden := func(w http.ResponseWriter, path string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: User \"system:anonymous\" cannot get path \"` + path + `\"","reason":"Forbidden","details":{},"code":403}`))
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/version":
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"major":"1","minor":"30","gitVersion":"v1.30.2","gitCommit":"39683505b630ff2121012f3c5b16215a1449d5ed","platform":"linux/amd64"}`))
		case "/api/v1/namespaces":
			if !anonymousCanList {
				forbidden(w, r.URL.Path)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(`{"kind":"NamespaceList","apiVersion":"v1","metadata":{"resourceVersion":"100"},"items":[{"metadata":{"name":"default"}}]}`))
		default:
			forbidden(w, r.URL.Path)
		}
	}))
	srv.Config.ErrorLog = quietLog // our probes' refused handshakes are expected
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().(*net.TCPAddr).Port
}

func TestIdentifyDockerAPI(t *testing.T) {
	svc := identifyPort(t, dockerAPIDouble(t))
	if svc.Name != "docker" || svc.Product != "Docker" || svc.Version != "28.5.2" || svc.Evidence["auth"] != "none" {
		t.Fatalf("got %+v", svc)
	}
}

func TestIdentifyKubernetesAPI(t *testing.T) {
	for _, canList := range []bool{true, false} {
		svc, err := Identify(context.Background(), loopback, kubernetesDouble(t, canList), Options{Timeout: labTimeout})
		if err != nil {
			t.Fatal(err)
		}
		want := map[bool]string{true: "authorized", false: "authenticated"}[canList]
		if svc.Name != "kubernetes" || svc.Version != "1.30.2" || svc.Evidence["anonymous"] != want || svc.TLS == nil {
			t.Fatalf("canList=%v: got %s %s anonymous=%q tls=%v", canList, svc.Name, svc.Version, svc.Evidence["anonymous"], svc.TLS != nil)
		}
	}
}
