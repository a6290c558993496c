package cdrlocal_test

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strconv"
	"time"
)

// The test binary doubles as the programs that run inside the namespaces: TestMain runs
// one of these when CDR_LOCAL_HELPER names it (started with `ip netns exec NS <test
// binary>`), so the test needs no server software besides nmap.
const helperEnv = "CDR_LOCAL_HELPER"

var helpers = map[string]func() error{
	"servers": servers,
	"stratum": stratumClient,
	"beacon":  beaconClient,
}

const (
	peerAddr    = "10.77.0.2"
	stratumPort = "3333"
	beaconPort  = "8443"
)

// servers answers on the peer: a stratum pool on 3333 (one job per subscription) and a C2
// endpoint on 8443 (a fixed reply per check-in). It prints "ready" once both listen and
// runs until killed (at most 2 minutes).
func servers() error {
	pool, err := net.Listen("tcp", net.JoinHostPort(peerAddr, stratumPort))
	if err != nil {
		return err
	}
	c2, err := net.Listen("tcp", net.JoinHostPort(peerAddr, beaconPort))
	if err != nil {
		return err
	}
	go serve(pool, func(conn net.Conn) {
		r := bufio.NewReader(conn)
		for range 2 {
			if _, err := r.ReadString('\n'); err != nil {
				return
			}
			fmt.Fprintln(conn, `{"id":1,"result":true,"error":null}`)
		}
		fmt.Fprintln(conn, `{"id":null,"method":"mining.set_difficulty","params":[1024]}`)
		fmt.Fprintln(conn, `{"id":null,"method":"mining.notify","params":["4f","b3ba","0100","ff",[],"20000000","1a0ffff","5b645de5",true]}`)
	})
	go serve(c2, func(conn net.Conn) {
		buf := make([]byte, 512)
		if _, err := conn.Read(buf); err == nil {
			conn.Write([]byte("no tasks\n"))
		}
	})
	fmt.Println("ready")
	time.Sleep(2 * time.Minute)
	return nil
}

func serve(l net.Listener, handle func(net.Conn)) {
	for {
		conn, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer conn.Close()
			conn.SetDeadline(time.Now().Add(10 * time.Second))
			handle(conn)
		}()
	}
}

// stratumClient is a miner's session: subscribe, authorize, read the job.
func stratumClient() error {
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(peerAddr, stratumPort), 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintln(conn, `{"id":1,"method":"mining.subscribe","params":["bfgminer/5.5.0"]}`)
	fmt.Fprintln(conn, `{"id":2,"method":"mining.authorize","params":["wallet.worker1","x"]}`)
	_, err = io.Copy(io.Discard, io.LimitReader(conn, 4096))
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		err = nil
	}
	return err
}

// beaconClient checks in with the C2 endpoint CDR_LOCAL_BEACONS times, every
// CDR_LOCAL_INTERVAL ± 10%, with the same request each time.
func beaconClient() error {
	count, _ := strconv.Atoi(os.Getenv("CDR_LOCAL_BEACONS"))
	interval, err := time.ParseDuration(os.Getenv("CDR_LOCAL_INTERVAL"))
	if err != nil || count <= 0 {
		return fmt.Errorf("set CDR_LOCAL_BEACONS and CDR_LOCAL_INTERVAL")
	}
	request := make([]byte, 160)
	for i := range count {
		if i > 0 {
			time.Sleep(time.Duration(float64(interval) * (0.9 + 0.2*rand.Float64())))
		}
		conn, err := net.DialTimeout("tcp", net.JoinHostPort(peerAddr, beaconPort), 5*time.Second)
		if err != nil {
			return err
		}
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		conn.Write(request)
		io.Copy(io.Discard, conn)
		conn.Close()
	}
	return nil
}
