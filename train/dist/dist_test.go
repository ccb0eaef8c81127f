package dist

import (
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	for in, want := range map[string]string{
		"tcp://10.0.0.1:29500":    "10.0.0.1:29500",
		"tcp://node0:23456":       "node0:23456",
		"tcp://[::1]:1234":        "[::1]:1234",
		"tcp://127.0.0.1:0/":      "127.0.0.1:0",
		"http://10.0.0.1:29500":   "",
		"10.0.0.1:29500":          "",
		"tcp://10.0.0.1":          "",
		"tcp://:29500":            "",
		"tcp://10.0.0.1:29500/x":  "",
		"tcp://u@10.0.0.1:29500":  "",
		"tcp://10.0.0.1:29500?a=": "",
		"env://":                  "",
	} {
		got, err := ParseURL(in)
		if got != want || (err == nil) != (want != "") {
			t.Errorf("ParseURL(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// serve starts rank 0 of worldSize processes of 2 devices each on a free
// loopback port and returns its URL, its ID and a channel with Serve's
// result.
func serve(t *testing.T, ctx context.Context, worldSize int) (string, ID, <-chan error) {
	t.Helper()
	s, err := Listen("tcp://127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	id, err := RandomID()
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, worldSize, 2, id) }()
	return s.URL(), id, done
}

type result struct {
	id  ID
	err error
}

// joinAll joins url as each of ranks concurrently, each of 2 devices.
func joinAll(ctx context.Context, url string, worldSize int, ranks ...int) []result {
	res := make([]result, len(ranks))
	var wg sync.WaitGroup
	for i, r := range ranks {
		wg.Go(func() { res[i].id, res[i].err = Join(ctx, url, worldSize, r, 2) })
	}
	wg.Wait()
	return res
}

func TestRendezvous(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url, want, done := serve(t, ctx, 4)
	for i, r := range joinAll(ctx, url, 4, 3, 1, 2) {
		if r.err != nil || r.id != want {
			t.Errorf("joiner %d: %v, %v; want %v", i, r.id, r.err, want)
		}
	}
	if err := <-done; err != nil {
		t.Error(err)
	}
}

// TestJoinBeforeListen checks that joining ranks wait for a rank 0 that
// starts after them, as torchrun allows.
func TestJoinBeforeListen(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "tcp://" + l.Addr().String()
	l.Close()
	var got []result
	joined := make(chan struct{})
	go func() {
		got = joinAll(ctx, url, 3, 1, 2)
		close(joined)
	}()
	time.Sleep(3 * retryEvery)
	want, err := Rendezvous(ctx, url, 3, 0, 2, RandomID)
	if err != nil {
		t.Fatal(err)
	}
	<-joined
	for i, r := range got {
		if r.err != nil || r.id != want {
			t.Errorf("rank %d: %v, %v; want %v", i+1, r.id, r.err, want)
		}
	}
}

// TestRefused checks that an inconsistent world fails on every rank, with
// rank 0's reason.
func TestRefused(t *testing.T) {
	for _, c := range []struct {
		name    string
		worlds  []int // world size each joiner claims
		ranks   []int
		devices []int
		reason  string
	}{
		{"world size", []int{3, 4}, []int{1, 2}, []int{2, 2}, "says the world size is 4; rank 0 says 3"},
		{"duplicate rank", []int{3, 3}, []int{1, 1}, []int{2, 2}, "two processes claim rank 1"},
		{"devices", []int{3, 3}, []int{1, 2}, []int{2, 1}, "rank 2 drives 1 device(s), rank 0 drives 2: every process needs as many (-gpus)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			url, _, done := serve(t, ctx, 3)
			errs := make([]error, len(c.ranks))
			var wg sync.WaitGroup
			for i := range c.ranks {
				wg.Go(func() { _, errs[i] = Join(ctx, url, c.worlds[i], c.ranks[i], c.devices[i]) })
			}
			wg.Wait()
			if err := <-done; err == nil || !strings.Contains(err.Error(), c.reason) {
				t.Errorf("rank 0: %v; want %q", err, c.reason)
			}
			for i, err := range errs {
				if err == nil || !strings.Contains(err.Error(), c.reason) {
					t.Errorf("joiner %d: %v; want %q", i, err, c.reason)
				}
			}
		})
	}
}

// TestRefusedRank checks rank 0's own range check, which Join's makes
// unreachable from this package's client.
func TestRefusedRank(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url, _, done := serve(t, ctx, 3)
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if err := writeHello(c, hello{worldSize: 3, rank: 5, devices: 2}); err != nil {
		t.Fatal(err)
	}
	const reason = "rank 5 is outside 1..2"
	if _, err := readReply(c); err == nil || err.Error() != reason {
		t.Errorf("rank 5 got %v; want %q", err, reason)
	}
	if err := <-done; err == nil || !strings.Contains(err.Error(), reason) {
		t.Errorf("rank 0: %v; want %q", err, reason)
	}
}

func TestJoinBadRank(t *testing.T) {
	for _, r := range []int{0, -1, 2} {
		if _, err := Join(context.Background(), "tcp://127.0.0.1:1", 2, r, 1); err == nil || !strings.Contains(err.Error(), "-rank") {
			t.Errorf("Join as rank %d of 2: %v", r, err)
		}
	}
	if _, err := Rendezvous(context.Background(), "tcp://127.0.0.1:1", 0, 0, 1, RandomID); err == nil {
		t.Error("Rendezvous of world size 0 succeeded")
	}
}

// TestTimeouts checks that a missing rank and an absent rank 0 end in
// errors that say what was waited for, once the context ends.
func TestTimeouts(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	url, _, done := serve(t, ctx, 3)
	r := joinAll(ctx, url, 3, 1)[0]
	if r.err == nil {
		t.Errorf("rank 1 got %v without rank 2", r.id)
	}
	if err := <-done; err == nil || !strings.Contains(err.Error(), "ranks [2] did not join") {
		t.Errorf("rank 0: %v", err)
	}

	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel2()
	if _, err := Join(ctx2, "tcp://"+addr, 2, 1, 1); err == nil || !strings.Contains(err.Error(), "could not reach rank 0") {
		t.Errorf("Join with no rank 0: %v", err)
	}
}

// TestStrayConnection checks that a connection that is not a rank does not
// disturb the rendezvous.
func TestStrayConnection(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url, want, done := serve(t, ctx, 2)
	c, err := net.Dial("tcp", strings.TrimPrefix(url, "tcp://"))
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprint(c, "GET / HTTP/1.0\r\n\r\n")
	defer c.Close()
	if r := joinAll(ctx, url, 2, 1)[0]; r.err != nil || r.id != want {
		t.Errorf("rank 1: %v, %v; want %v", r.id, r.err, want)
	}
	if err := <-done; err != nil {
		t.Error(err)
	}
}

// joinEnv names the variable that makes TestHelperJoin run as rank 1 in a
// child process.
const joinEnv = "GOCNN_DIST_TEST_JOIN"

// TestTwoProcesses runs rank 0 here and rank 1 in a second process (this
// test binary again), which prints the ID it received.
func TestTwoProcesses(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	url, want, done := serve(t, ctx, 2)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestHelperJoin$", "-test.count=1")
	cmd.Env = append(os.Environ(), joinEnv+"="+url)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("rank 1 process: %v\n%s", err, out)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	line := fmt.Sprintf("id=%s", hex.EncodeToString(want[:]))
	if !strings.Contains(string(out), line) {
		t.Errorf("rank 1 printed\n%s\nwant a line %s", out, line)
	}
}

// TestHelperJoin is rank 1 of TestTwoProcesses; it does nothing in a
// normal run.
func TestHelperJoin(t *testing.T) {
	url := os.Getenv(joinEnv)
	if url == "" {
		t.Skip("runs only as TestTwoProcesses's child")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	id, err := Join(ctx, url, 2, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("id=%s\n", hex.EncodeToString(id[:]))
}
