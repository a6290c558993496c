package cdr

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"time"

	"github.com/rampart-sec/rampart/runtime/admin"
	"github.com/rampart-sec/rampart/runtime/cdr/decode"
	"github.com/rampart-sec/rampart/runtime/cdr/ingest"
	"github.com/rampart-sec/rampart/version"
)

// Start binds the VXLAN port, opens the interface (listen.interface), binds the health
// port and the admin API, then starts one goroutine per source. /healthz (and the health
// port) answer only once everything is bound.
func (s *Sensor) Start() error {
	cfg := s.current.Load().cfg
	if err := s.openSources(); err != nil {
		s.closeSources()
		return err
	}
	if cfg.Listen.Health > 0 {
		address := net.JoinHostPort(cfg.Listen.Address, strconv.Itoa(cfg.Listen.Health))
		l, err := net.Listen("tcp", address)
		if err != nil {
			s.closeSources()
			return fmt.Errorf("listen.health: listen on %s: %w", address, admin.DescribeListenError(err))
		}
		s.health = l
	}
	adminAddress := s.opts.AdminListen
	if adminAddress == "" {
		adminAddress = cfg.AdminListen()
	}
	adminServer, err := admin.Start(adminAddress, s, s.logger)
	if err != nil {
		s.closeSources()
		if s.health != nil {
			s.health.Close()
		}
		return err
	}
	s.adminServer = adminServer
	for _, src := range s.sources {
		s.running.Add(1)
		go s.run(src)
	}
	if s.health != nil {
		go serveHealthChecks(s.health)
	}
	s.ready.Store(true)
	names := make([]string, 0, len(s.sources))
	for _, src := range s.sources {
		names = append(names, src.name)
	}
	s.logger.Info("rampart-cdr started",
		slog.String("version", version.Version),
		slog.Any("sources", names),
		slog.String("health", s.HealthAddr()),
		slog.String("admin", adminServer.Addr().String()),
		slog.String("config", s.opts.ConfigPath),
		slog.String("config_sha256", s.current.Load().sha256),
	)
	return nil
}

func (s *Sensor) openSources() error {
	cfg := s.current.Load().cfg
	address := net.JoinHostPort(cfg.Listen.Address, strconv.Itoa(cfg.Listen.VXLAN))
	udp, err := ingest.ListenUDP(address, ingest.DefaultBatchSize)
	if err != nil {
		return fmt.Errorf("listen.vxlan: %w", admin.DescribeListenError(err))
	}
	if err := s.addSource("vxlan udp://"+udp.Addr().String(), udp, true); err != nil {
		udp.Close()
		return err
	}
	if cfg.Listen.Interface != "" {
		in, err := ingest.OpenInterface(cfg.Listen.Interface, ingest.DefaultBatchSize)
		if err != nil {
			return err
		}
		if err := s.addSource("interface "+cfg.Listen.Interface, in, false); err != nil {
			in.Close()
			return err
		}
	}
	return nil
}

func (s *Sensor) addSource(name string, r reader, vxlan bool) error {
	pipeline, err := NewPipeline(s.current.Load().cfg, s.publish)
	if err != nil {
		return err
	}
	s.sources = append(s.sources, &source{name: name, reader: r, vxlan: vxlan, pipeline: pipeline, reloads: make(chan reloadRequest)})
	return nil
}

func (s *Sensor) closeSources() {
	for _, src := range s.sources {
		src.reader.Close()
	}
}

// run is a source's goroutine: read a batch, run it through the pipeline, publish the
// counters; between batches, apply reloads. Read returns at least every
// ingest.ReadTimeout, so flows expire and stop is noticed on a quiet wire.
func (s *Sensor) run(src *source) {
	defer s.running.Done()
	for {
		select {
		case <-s.stop:
			src.pipeline.Finish(time.Now())
			return
		case req := <-src.reloads:
			req.done <- src.pipeline.Reload(req.cfg)
			continue
		default:
		}
		batch, err := src.reader.Read()
		if err != nil {
			select {
			case <-s.stop: // the reader was closed by Shutdown
				src.pipeline.Finish(time.Now())
			default:
				s.serveErr <- fmt.Errorf("%s: %w", src.name, err)
			}
			return
		}
		now := time.Now()
		for _, frame := range batch.Frames {
			if src.vxlan {
				src.pipeline.VXLAN(frame, now)
			} else {
				src.pipeline.Frame(decode.LinkEthernet, frame, now)
			}
		}
		src.pipeline.Advance(now)
		src.pipeline.Publish()
		src.drops.Store(src.reader.KernelDrops())
	}
}

// serveHealthChecks accepts and closes connections: a TCP health check only needs the
// handshake to succeed. It returns when the listener is closed.
func serveHealthChecks(l net.Listener) {
	for {
		conn, err := l.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			time.Sleep(10 * time.Millisecond) // e.g. out of file descriptors: do not spin
			continue
		}
		conn.Close()
	}
}

// VXLANAddr is the bound VXLAN address (after Start).
func (s *Sensor) VXLANAddr() net.Addr {
	for _, src := range s.sources {
		if u, ok := src.reader.(*ingest.UDPListener); ok {
			return u.Addr()
		}
	}
	return nil
}

// HealthAddr is the bound health-check address, empty without one.
func (s *Sensor) HealthAddr() string {
	if s.health == nil {
		return ""
	}
	return s.health.Addr().String()
}

// AdminAddr is the bound admin API address (after Start).
func (s *Sensor) AdminAddr() net.Addr { return s.adminServer.Addr() }

// Wait runs until ctx ends (SIGTERM) or a source fails, then shuts down gracefully.
func (s *Sensor) Wait(ctx context.Context) error {
	var serveErr error
	select {
	case <-ctx.Done():
	case serveErr = <-s.serveErr:
		s.logger.Error("traffic source failed", slog.String("error", serveErr.Error()))
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), s.opts.ShutdownTimeout)
	defer cancel()
	return errors.Join(serveErr, s.Shutdown(shutdownCtx))
}

// Shutdown stops the health port first (load balancers stop sending), then the sources
// (their flows are ended and scored), delivers queued findings, and stops the admin API.
// It is safe to call more than once.
func (s *Sensor) Shutdown(ctx context.Context) error {
	s.shutdownOnce.Do(func() {
		s.ready.Store(false)
		s.logger.Info("rampart-cdr shutting down")
		var errs []error
		if s.health != nil {
			s.health.Close()
		}
		close(s.stop)
		s.running.Wait() // each source returns within ingest.ReadTimeout
		s.closeSources()
		if err := s.publisher.Load().Close(); err != nil {
			errs = append(errs, fmt.Errorf("close findings publisher: %w", err))
		}
		if s.adminServer != nil {
			if err := s.adminServer.Shutdown(ctx); err != nil {
				errs = append(errs, err)
			}
		}
		s.shutdownErr = errors.Join(errs...)
		s.logger.Info("rampart-cdr stopped")
	})
	return s.shutdownErr
}
