package dist

import (
	"context"
	"fmt"
	"net"
	"time"
)

// retryEvery is how often a joining rank retries a refused connection:
// rank 0 may start after the others, as with torchrun.
const retryEvery = 100 * time.Millisecond

// Join connects to rank 0 at url (tcp://host:port) as rank of worldSize
// ranks driving devices devices, retrying until rank 0 listens or ctx
// ends, and returns the ID rank 0 sends once every rank has joined. It
// returns rank 0's reason when the rendezvous fails, and an error for a
// rank outside 1..worldSize-1.
func Join(ctx context.Context, url string, worldSize, rank, devices int) (ID, error) {
	var id ID
	addr, err := ParseURL(url)
	if err != nil {
		return id, err
	}
	if rank < 1 || rank >= worldSize {
		return id, fmt.Errorf("dist: -rank %d: a joining rank must be in 1..%d for -world-size %d", rank, worldSize-1, worldSize)
	}
	conn, err := dial(ctx, addr)
	if err != nil {
		return id, fmt.Errorf("dist: rank %d could not reach rank 0 at %s: %w", rank, addr, err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	if err := writeHello(conn, hello{worldSize: worldSize, rank: rank, devices: devices}); err != nil {
		return id, fmt.Errorf("dist: rank %d: %w", rank, err)
	}
	if id, err = readReply(conn); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return id, fmt.Errorf("dist: rank %d, waiting for the other ranks at %s: %w", rank, addr, err)
	}
	return id, nil
}

// dial connects to addr, retrying until it succeeds or ctx ends; it
// returns the last connection error with ctx's.
func dial(ctx context.Context, addr string) (net.Conn, error) {
	var d net.Dialer
	for {
		c, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return c, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("%w (last try: %v)", ctx.Err(), err)
		case <-time.After(retryEvery):
		}
	}
}

// Rendezvous runs rank's part of a rendezvous at url, for a process that
// drives devices devices: rank 0 listens there, makes the ID with newID
// and serves it (see Server.Serve); the other ranks join (see Join).
// Every rank returns the same ID, or an error.
func Rendezvous(ctx context.Context, url string, worldSize, rank, devices int, newID func() (ID, error)) (ID, error) {
	var id ID
	if worldSize < 1 {
		return id, fmt.Errorf("dist: -world-size %d: must be at least 1", worldSize)
	}
	if rank != 0 {
		return Join(ctx, url, worldSize, rank, devices)
	}
	s, err := Listen(url)
	if err != nil {
		return id, err
	}
	if id, err = newID(); err != nil {
		s.Close()
		return id, fmt.Errorf("dist: rank 0: making the id: %w", err)
	}
	return id, s.Serve(ctx, worldSize, devices, id)
}
