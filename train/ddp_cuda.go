//go:build cuda

package train

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cuda"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/train/dist"
)

// ncclGroup is the NCCL communicator of the replicas of one process, one
// rank per GPU, with a watchdog: a collective that waits longer than the
// timeout for a rank that does not arrive, or a rank that NCCL reports
// failed, aborts every communicator of the process, which ends every wait
// on them, and fails the group with a line naming the missing rank.
type ncclGroup struct {
	comms    []*cuda.Comm
	reducers []*ncclReducer
	rankOf   []int // the global rank of each replica
	size     int   // ranks over every process
	timeout  time.Duration

	mu     sync.Mutex
	failed error
	stop   chan struct{}
	done   chan struct{}
}

// newCommGroup joins the replicas, each on its own GPU, in one NCCL
// communicator, with the replicas of the other processes when there are
// several (global rank Rank*len(reps)+i for replica i), and hooks their
// gradients to bucketed all-reduces (see ncclReducer). In one process it
// returns nil, and the replicas average through host memory, when there
// is one replica or when replicas share a GPU (-gpus 0,0), which NCCL
// refuses.
func newCommGroup(cfg *Config, reps []*replica) (commGroup, error) {
	procs := cfg.Dist.processes()
	shared := len(gpus(reps)) != len(reps) || hasDuplicates(cfg.GPUs)
	if procs > 1 && shared {
		return nil, fmt.Errorf("-gpus %s: each process of -world-size %d needs GPUs of its own, one per replica", joinInts(cfg.GPUs), procs)
	}
	if procs == 1 && (len(reps) < 2 || shared) {
		return nil, nil
	}
	id, err := groupID(cfg, len(reps))
	if err != nil {
		return nil, err
	}
	size, first := len(reps)*procs, cfg.Dist.globalRank(0, len(reps))
	g := &ncclGroup{comms: make([]*cuda.Comm, len(reps)), size: size, timeout: cfg.Dist.timeout(),
		stop: make(chan struct{}), done: make(chan struct{})}
	errs := make([]error, len(reps))
	var wg sync.WaitGroup
	for i, b := range gpus(reps) {
		g.rankOf = append(g.rankOf, first+i)
		// NewComm blocks until every rank has joined: one goroutine each.
		wg.Go(func() { g.comms[i], errs[i] = cuda.NewComm(b, id, size, first+i) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			for _, c := range g.comms {
				if c != nil {
					c.Abort()
					c.Close()
				}
			}
			return nil, fmt.Errorf("%s: %w", reps[i].dev.Name(), err)
		}
	}
	for i, r := range reps {
		g.reducers = append(g.reducers, newNCCLReducer(g.comms[i], r.params))
	}
	go g.watch()
	return g, nil
}

// groupID returns the NCCL unique id of the run's communicator: made here
// in one process; with several, each of devices replicas, made by rank 0
// and handed to every process by the rendezvous at -dist-url, which waits
// up to -dist-timeout for them all and refuses a process with another
// number of devices.
func groupID(cfg *Config, devices int) (dist.ID, error) {
	newID := func() (dist.ID, error) {
		id, err := cuda.NCCLUniqueID()
		return dist.ID(id), err
	}
	d := cfg.Dist
	if d.processes() == 1 {
		return newID()
	}
	ctx, cancel := context.WithTimeout(context.Background(), d.timeout())
	defer cancel()
	id, err := dist.Rendezvous(ctx, d.URL, d.processes(), d.Rank, devices, newID)
	if errors.Is(err, context.DeadlineExceeded) {
		err = fmt.Errorf("%w (-dist-timeout %v)", err, d.timeout())
	}
	return id, err
}

// hasDuplicates reports whether ids names a GPU twice.
func hasDuplicates(ids []int) bool {
	s := slices.Clone(ids)
	slices.Sort(s)
	return len(slices.Compact(s)) != len(ids)
}

func (g *ncclGroup) finishBackward(i int) error {
	return g.fail(g.reducers[i].finish())
}

func (g *ncclGroup) deferAverage(i int, on bool) { g.reducers[i].deferred = on }

func (g *ncclGroup) broadcastBuffers(i int, bufs []nn.Named) error {
	bs := make([]autograd.Buffer, len(bufs))
	for j, b := range bufs {
		bs[j] = b.Tensor.Buffer()
	}
	err := g.comms[i].Broadcast(0, bs...)
	g.comms[i].Join()
	return g.fail(err)
}

func (g *ncclGroup) channelSum(i int) autograd.ChannelSum {
	c := g.comms[i]
	return func(buf autograd.Buffer) {
		if err := g.fail(c.AllReduceSum(buf)); err != nil {
			panic(err)
		}
		c.Join()
	}
}

func (g *ncclGroup) ranks() int { return g.size }

func (g *ncclGroup) err() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.failed
}

// fail ends the group when err, an NCCL call's failure, is its first (see
// failure and abort), and returns err.
func (g *ncclGroup) fail(err error) error {
	if err != nil {
		g.abort(g.failure(err))
	}
	return err
}

// failure returns the line that ends the group for err, an NCCL call's
// failure: it names the other processes' ranks when NCCL blames a remote
// rank (one of them exited, say).
func (g *ncclGroup) failure(err error) error {
	var ne *cuda.NCCLError
	if errors.As(err, &ne) && ne.Remote() {
		if others := g.otherRanks(); len(others) > 0 {
			return fmt.Errorf("NCCL: %s failed or left: %w; communicator aborted", rankList(others), err)
		}
	}
	return fmt.Errorf("NCCL: %w; communicator aborted", err)
}

// watch checks the communicators until close: every tenth of the timeout
// (at most a second), whether a collective has waited past the timeout or
// NCCL reports an error. Either aborts the group.
func (g *ncclGroup) watch() {
	defer close(g.done)
	every := min(max(g.timeout/10, 10*time.Millisecond), time.Second)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-g.stop:
			return
		case <-tick.C:
		}
		if err := g.check(); err != nil {
			g.abort(err)
			return
		}
	}
}

// check returns why the group must be aborted, nil while it need not.
func (g *ncclGroup) check() error {
	for _, c := range g.comms {
		if err := c.AsyncError(); err != nil {
			return g.failure(err)
		}
		waited, err := c.Waiting()
		if err != nil {
			return err
		}
		if waited > g.timeout {
			return fmt.Errorf("NCCL: %s did not arrive at a collective the other ranks waited %v for (-dist-timeout %v); communicator aborted",
				g.missing(), waited.Round(time.Millisecond), g.timeout)
		}
	}
	return nil
}

// missing names the ranks the others wait for: those of this process that
// have queued fewer collectives than the others, or else the ranks of
// the other processes.
func (g *ncclGroup) missing() string {
	issued := make([]int64, len(g.comms))
	for i, c := range g.comms {
		issued[i] = c.Issued()
	}
	most := slices.Max(issued)
	var late []int
	for i, n := range issued {
		if n < most {
			late = append(late, g.rankOf[i])
		}
	}
	if len(late) == 0 {
		late = g.otherRanks()
	}
	if len(late) == 0 {
		return "no rank is missing but NCCL"
	}
	return rankList(late)
}

// otherRanks returns the ranks of the other processes.
func (g *ncclGroup) otherRanks() []int {
	var others []int
	for r := range g.size {
		if !slices.Contains(g.rankOf, r) {
			others = append(others, r)
		}
	}
	return others
}

// rankList names ranks: "rank 1", "ranks [2 3]".
func rankList(ranks []int) string {
	if len(ranks) == 1 {
		return fmt.Sprintf("rank %d", ranks[0])
	}
	return fmt.Sprintf("ranks %v", ranks)
}

// abort fails the group with err, unless it has failed already, and
// aborts every communicator, which ends every wait on them: the host's
// waits for the replicas' streams return, and the next onEach reports the
// group's failure.
func (g *ncclGroup) abort(err error) {
	g.mu.Lock()
	if g.failed == nil {
		g.failed = err
	}
	g.mu.Unlock()
	for _, c := range g.comms {
		c.Abort()
	}
}

// close destroys the communicators once their collectives have finished,
// the watchdog still aborting any that waits past the timeout, and then
// stops it.
func (g *ncclGroup) close() error {
	var first error
	for _, c := range g.comms {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	close(g.stop)
	<-g.done
	return first
}
