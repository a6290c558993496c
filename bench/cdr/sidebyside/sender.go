package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	"golang.org/x/net/ipv4"
)

// sendBatch is how many datagrams one sendmmsg(2) carries.
const sendBatch = 64

// sendResult is what a paced send achieved.
type sendResult struct {
	Sent    int
	Elapsed time.Duration
}

// Rate is the datagrams per second actually sent.
func (r sendResult) Rate() float64 {
	return float64(r.Sent) / max(r.Elapsed, time.Microsecond).Seconds()
}

// sendPaced sends each payload once, in order, as UDP datagrams to addr (a loopback
// host:port), in batches of sendBatch through sendmmsg, keeping to rate datagrams per
// second on average: whenever it is ahead of schedule it sleeps until the next batch is
// due. It stops early, reporting what it sent, when limit passes or ctx ends; the loop is
// thus bounded by len(payloads) and by limit.
func sendPaced(ctx context.Context, addr string, payloads [][]byte, rate int, limit time.Duration) (sendResult, error) {
	if rate <= 0 {
		return sendResult{}, fmt.Errorf("send rate %d: must be positive", rate)
	}
	conn, err := dialLoopbackUDP(addr)
	if err != nil {
		return sendResult{}, err
	}
	defer conn.Close()
	pc := ipv4.NewPacketConn(conn)
	messages := make([]ipv4.Message, sendBatch)
	for i := range messages {
		messages[i].Buffers = make([][]byte, 1)
	}

	return pace(ctx, len(payloads), rate, limit, func(from int) (int, error) {
		n := min(sendBatch, len(payloads)-from)
		for i := range n {
			messages[i].Buffers[0] = payloads[from+i]
		}
		k, err := pc.WriteBatch(messages[:n], 0)
		if err != nil {
			return k, fmt.Errorf("sender: sendmmsg after %d datagrams: %w", from+k, err)
		}
		return k, nil
	})
}

// pace calls send until total datagrams are sent, keeping to rate datagrams per second on
// average (whenever it is ahead of schedule it sleeps until the next send is due), and
// stops early, reporting what was sent, when limit passes or ctx ends. send sends some
// datagrams from index from on and says how many.
func pace(ctx context.Context, total, rate int, limit time.Duration, send func(from int) (int, error)) (sendResult, error) {
	start := time.Now()
	sent := 0
	for sent < total {
		if ctx.Err() != nil || time.Since(start) > limit {
			break
		}
		due := start.Add(time.Duration(float64(sent) / float64(rate) * float64(time.Second)))
		if wait := time.Until(due); wait > 0 {
			time.Sleep(wait) // pacing to the requested rate, not synchronisation
		}
		n, err := send(sent)
		sent += n
		if err != nil {
			return sendResult{Sent: sent, Elapsed: time.Since(start)}, err
		}
	}
	return sendResult{Sent: sent, Elapsed: time.Since(start)}, nil
}

func dialLoopbackUDP(addr string) (*net.UDPConn, error) {
	raddr, err := net.ResolveUDPAddr("udp4", addr)
	if err != nil {
		return nil, fmt.Errorf("sender: %w", err)
	}
	if !raddr.IP.IsLoopback() {
		return nil, fmt.Errorf("sender: %s is not a loopback address; this benchmark sends only on loopback", addr)
	}
	conn, err := net.DialUDP("udp4", nil, raddr)
	if err != nil {
		return nil, fmt.Errorf("sender: %w", err)
	}
	_ = conn.SetWriteBuffer(4 << 20)
	return conn, nil
}

// sendParallel splits payloads into senders contiguous parts and sends each from its own
// socket and goroutine at rate/senders, so that the sending is not limited to one core
// (on loopback the sender's system call also carries the kernel's delivery to the
// receiving socket, the larger part of the cost). The sent counts add up; the elapsed
// time is the slowest sender's.
// With gso, each sender uses UDP segmentation offload (sendPacedGSO; payloads of one size).
func sendParallel(ctx context.Context, addr string, payloads [][]byte, rate, senders int, gso bool, limit time.Duration) (sendResult, error) {
	senders = max(1, min(senders, len(payloads)))
	results := make([]sendResult, senders)
	errs := make([]error, senders)
	var wg sync.WaitGroup
	per := (len(payloads) + senders - 1) / senders
	for i := range senders {
		part := payloads[min(i*per, len(payloads)):min((i+1)*per, len(payloads))]
		wg.Go(func() {
			send := sendPaced
			if gso {
				send = sendPacedGSO
			}
			results[i], errs[i] = send(ctx, addr, part, max(1, rate/senders), limit)
		})
	}
	wg.Wait()
	var total sendResult
	for _, r := range results {
		total.Sent += r.Sent
		total.Elapsed = max(total.Elapsed, r.Elapsed)
	}
	return total, errors.Join(errs...)
}
