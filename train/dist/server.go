package dist

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"
)

// helloTimeout bounds how long a connection may take to send its hello,
// so that a stray connection cannot hold up the rendezvous.
const helloTimeout = 10 * time.Second

// Server is rank 0's end of a rendezvous.
type Server struct {
	l net.Listener
}

// Listen starts rank 0's listener on the host:port of url
// (tcp://host:port); port 0 picks a free port, which URL reports.
func Listen(url string) (*Server, error) {
	addr, err := ParseURL(url)
	if err != nil {
		return nil, err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("dist: rank 0: %w", err)
	}
	return &Server{l: l}, nil
}

// URL returns the address the other ranks join, with the port resolved.
func (s *Server) URL() string { return "tcp://" + s.l.Addr().String() }

// Close stops listening, for a Server that will not Serve.
func (s *Server) Close() error { return s.l.Close() }

type joined struct {
	conn net.Conn
	h    hello
}

// Serve waits until ranks 1 to worldSize-1 have each joined once with
// worldSize and devices, rank 0's number of devices, then sends them id
// and returns nil. When a rank claims another world size, a rank out of
// range or one already taken, or another number of devices, it refuses
// every rank that has joined with that reason, and those that join in the
// next few seconds too, and returns it; when ctx ends first, it returns an
// error listing the ranks still missing. The listener is closed when Serve
// is done with it.
func (s *Server) Serve(ctx context.Context, worldSize, devices int, id ID) error {
	if worldSize < 1 {
		s.l.Close()
		return fmt.Errorf("dist: world size %d: must be at least 1", worldSize)
	}
	hellos := make(chan joined)
	ctx, cancel := context.WithCancel(ctx)
	go s.accept(ctx, hellos)

	conns := make([]net.Conn, worldSize) // by rank; rank 0 is this process
	defer func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	}()
	for waiting := worldSize - 1; waiting > 0; waiting-- {
		var j joined
		select {
		case j = <-hellos:
		case <-ctx.Done():
			cancel()
			return fmt.Errorf("dist: rank 0 at %s: ranks %v did not join: %w", s.l.Addr(), missing(conns), ctx.Err())
		}
		if err := check(j.h, worldSize, devices, conns); err != nil {
			refuse(j.conn, err)
			for _, c := range conns {
				if c != nil {
					writeReply(c, id, err)
				}
			}
			// Ranks still on their way learn the reason too, rather than
			// wait for their timeout.
			go func() {
				defer cancel()
				linger := time.NewTimer(lingerAfterFailure)
				defer linger.Stop()
				for {
					select {
					case j := <-hellos:
						refuse(j.conn, err)
					case <-linger.C:
						return
					case <-ctx.Done():
						return
					}
				}
			}()
			return fmt.Errorf("dist: rank 0: %w", err)
		}
		conns[j.h.rank] = j.conn
	}
	cancel()
	var errs []error
	for r, c := range conns[1:] {
		if err := writeReply(c, id, nil); err != nil {
			errs = append(errs, fmt.Errorf("dist: rank 0: sending the id to rank %d: %w", r+1, err))
		}
	}
	return errors.Join(errs...)
}

// lingerAfterFailure is how long a failed rank 0 keeps refusing late
// ranks.
const lingerAfterFailure = 5 * time.Second

// refuse sends reason to a joining rank and hangs up.
func refuse(c net.Conn, reason error) {
	writeReply(c, ID{}, reason)
	c.Close()
}

// accept reads the hello of every connection until ctx ends. A connection
// that sends no valid hello in time is dropped: it is not a rank.
func (s *Server) accept(ctx context.Context, hellos chan<- joined) {
	go func() {
		<-ctx.Done()
		s.l.Close()
	}()
	for {
		c, err := s.l.Accept()
		if err != nil {
			return
		}
		go func() {
			c.SetReadDeadline(time.Now().Add(helloTimeout))
			h, err := readHello(c)
			if err != nil {
				c.Close()
				return
			}
			c.SetReadDeadline(time.Time{})
			select {
			case hellos <- joined{c, h}:
			case <-ctx.Done():
				c.Close()
			}
		}()
	}
}

// check returns why h cannot join a world of worldSize processes of
// devices devices whose joined ranks hold a connection in conns, or nil.
func check(h hello, worldSize, devices int, conns []net.Conn) error {
	switch {
	case h.worldSize != worldSize:
		return fmt.Errorf("rank %d says the world size is %d; rank 0 says %d", h.rank, h.worldSize, worldSize)
	case h.rank < 1 || h.rank >= worldSize:
		return fmt.Errorf("rank %d is outside 1..%d", h.rank, worldSize-1)
	case conns[h.rank] != nil:
		return fmt.Errorf("two processes claim rank %d", h.rank)
	case h.devices != devices:
		return fmt.Errorf("rank %d drives %d device(s), rank 0 drives %d: every process needs as many (-gpus)", h.rank, h.devices, devices)
	}
	return nil
}

// missing returns the ranks other than 0 without a connection.
func missing(conns []net.Conn) []int {
	var m []int
	for r := 1; r < len(conns); r++ {
		if conns[r] == nil {
			m = append(m, r)
		}
	}
	return m
}
