package fingerprint

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

// followUpHTTP asks the extra questions that tell a plain web server from the APIs with
// security consequences: the Docker Engine API and the Kubernetes API server.
func followUpHTTP(ctx context.Context, scheme, addr string, opts Options, svc *Service) {
	if svc.HTTP == nil {
		return
	}
	client := &http.Client{
		Transport: &http.Transport{
			DialContext:       opts.Dial,
			TLSClientConfig:   insecureTLSConfig(opts.ServerName),
			DisableKeepAlives: true,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()
	base := scheme + "://" + addr
	switch {
	case svc.HTTP.Headers["Api-Version"] != "" || strings.HasPrefix(svc.HTTP.Headers["Server"], "Docker/"):
		identifyDocker(ctx, client, base, svc)
	case looksLikeKubernetes(svc.HTTP):
		identifyKubernetes(ctx, client, base, svc)
	}
}

func identifyDocker(ctx context.Context, client *http.Client, base string, svc *Service) {
	svc.Name, svc.Product = "docker", "Docker"
	resp, body := get(ctx, client, base+"/version")
	if resp == nil || resp.StatusCode != http.StatusOK {
		svc.Evidence["auth"] = "required"
		return
	}
	var v struct{ Version, APIVersion, Os string }
	if json.Unmarshal(body, &v) == nil && v.Version != "" {
		svc.Version = v.Version
		svc.Evidence["api_version"] = v.APIVersion
	}
	svc.Evidence["auth"] = "none"
	svc.Evidence["answered"] = "GET /version 200"
}

// looksLikeKubernetes: the API server answers unknown or forbidden paths with a JSON Status.
func looksLikeKubernetes(h *HTTPInfo) bool {
	body := strings.ReplaceAll(h.Body, " ", "")
	return strings.Contains(body, `"kind":"Status"`) && strings.Contains(body, `"apiVersion":"v1"`) ||
		strings.Contains(body, `"paths":[`) && strings.Contains(body, `"/api"`)
}

func identifyKubernetes(ctx context.Context, client *http.Client, base string, svc *Service) {
	svc.Name, svc.Product = "kubernetes", "Kubernetes API server"
	if resp, body := get(ctx, client, base+"/version"); resp != nil && resp.StatusCode == http.StatusOK {
		var v struct{ GitVersion string }
		if json.Unmarshal(body, &v) == nil {
			svc.Version = strings.TrimPrefix(v.GitVersion, "v")
		}
	}
	resp, body := get(ctx, client, base+"/api/v1/namespaces?limit=1")
	switch {
	case resp == nil:
	case resp.StatusCode == http.StatusOK:
		svc.Evidence["anonymous"] = "authorized"
		svc.Evidence["answered"] = "GET /api/v1/namespaces 200 without credentials"
	case resp.StatusCode == http.StatusForbidden && strings.Contains(string(body), "system:anonymous"):
		svc.Evidence["anonymous"] = "authenticated"
		svc.Evidence["answered"] = "GET /api/v1/namespaces 403 as system:anonymous"
	case resp.StatusCode == http.StatusUnauthorized:
		svc.Evidence["anonymous"] = "disabled"
	}
}

// get fetches url and returns the response and at most maxHTTPBody bytes of its body.
func get(ctx context.Context, client *http.Client, url string) (*http.Response, []byte) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, nil
	}
	req.Header.Set("User-Agent", "rampart-scanner")
	resp, err := client.Do(req)
	if err != nil {
		return nil, nil
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxHTTPBody))
	return resp, body
}
