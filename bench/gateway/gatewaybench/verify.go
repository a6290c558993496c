package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// verifyRefuses checks that the proxy at proxyAddr refuses a destination that is not on
// its list, with 403, for a tunnel and for plain HTTP: both proxies must be enforcing
// their allowed list while they are measured, not running wide open.
func verifyRefuses(system, proxyAddr string, tlsPort, httpPort int) error {
	conn, err := net.DialTimeout("tcp", proxyAddr, 10*time.Second)
	if err != nil {
		return fmt.Errorf("%s: %w", system, err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(requestTimeout))
	err = sendConnect(conn, net.JoinHostPort(deniedHost, strconv.Itoa(tlsPort)))
	if err == nil {
		return fmt.Errorf("%s let a tunnel to %s through: the benchmark needs its allowed list in force", system, deniedHost)
	}
	var refused *refusedError
	if !errors.As(err, &refused) || refused.Status != http.StatusForbidden {
		return fmt.Errorf("%s: CONNECT to a host not on the list: want 403, got %v", system, err)
	}

	client := &http.Client{
		Timeout:   requestTimeout,
		Transport: &http.Transport{Proxy: http.ProxyURL(mustURL("http://" + proxyAddr))},
	}
	resp, err := client.Get("http://" + net.JoinHostPort(deniedHost, strconv.Itoa(httpPort)) + "/")
	if err != nil {
		return fmt.Errorf("%s: plain HTTP to a host not on the list: %w", system, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		return fmt.Errorf("%s: plain HTTP to a host not on the list: want 403, got %s", system, resp.Status)
	}
	return nil
}

// verifyBody fetches path once along rt and compares the body with want byte for byte,
// so that a proxy answering fast with the wrong bytes cannot win a row.
func verifyBody(ctx context.Context, system string, rt route, path string, want []byte) error {
	c, err := dialRoute(ctx, rt)
	if err != nil {
		return fmt.Errorf("%s: %w", system, err)
	}
	defer c.close()
	var got bytes.Buffer
	status, _, err := c.get(path, &got, make([]byte, 32<<10))
	if err != nil {
		return fmt.Errorf("%s: %w", system, err)
	}
	if status != http.StatusOK || !bytes.Equal(got.Bytes(), want) {
		return fmt.Errorf("%s: GET %s answered %d with %d bytes that differ from the origin's %d", system, path, status, got.Len(), len(want))
	}
	return nil
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}
