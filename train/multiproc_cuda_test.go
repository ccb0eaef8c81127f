//go:build cuda

package train

import (
	"context"
	"encoding/json"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// The tests of training across processes run every process, and the one
// process they are compared with, as a child (this test binary again,
// running TestHelperRank) on the stand-in's devices (GOCNN_SIM_DEVICES=2):
// the stand-in's NCCL joins ranks of several processes through shared
// memory, and the test process itself maps no device memory, which the
// stand-in holds in mappings of their own (vm.max_map_count bounds a
// process's).

// rankEnv passes a child its part, a rankPart in JSON.
const rankEnv = "GOCNN_TRAIN_TEST_RANK"

// rankPart is a child's part in a test across processes: processConfig
// on GPUs, as Rank of WorldSize at URL (WorldSize 0: one process).
type rankPart struct {
	URL             string
	Rank, WorldSize int
	GPUs            []int
	Output, Resume  string
	Timeout         time.Duration
	// Fault is "" or what the child does after step At: "exit" (as a
	// crashed node), "hang" (a node that stops answering) or "stop"
	// (Ctrl-C: it stops there, and rank 0 saves).
	Fault string
	At    int64
}

// resultPrefix starts the line on which a child reports Run's error,
// quoted ("" for none).
const resultPrefix = "run error: "

// processConfig returns the run of the tests across processes: 16 random
// images, batch 2 per device, two epochs of 4 steps on two devices, batch
// norm in training mode (each device normalises its own batch), with
// mixup and CutMix, whose draws depend on the global rank.
func processConfig(t *testing.T) Config {
	cfg := randomConfig(t, 16)
	cfg.Batch, cfg.Epochs, cfg.Workers = 2, 2, 2
	cfg.MixupAlpha, cfg.CutmixAlpha = 0.2, 1
	return cfg
}

// freeURL returns tcp://127.0.0.1:port with a port free a moment ago.
func freeURL(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return "tcp://" + l.Addr().String()
}

// child is a child process of a test across processes.
type child struct {
	cmd  *exec.Cmd
	out  strings.Builder
	hang bool
}

// startChild starts a child that plays p.
func startChild(t *testing.T, p rankPart) *child {
	t.Helper()
	part, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	c := &child{cmd: exec.Command(os.Args[0], "-test.run=^TestHelperRank$", "-test.count=1", "-test.v"), hang: p.Fault == "hang"}
	c.cmd.Env = append(os.Environ(), rankEnv+"="+string(part))
	c.cmd.Stdout, c.cmd.Stderr = &c.out, &c.out
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return c
}

// wait waits for the child, killing one that hangs, and returns its
// output and Run's error message ("" for none); ok is false when it
// reported none (it exited or was killed first).
func (c *child) wait() (out, runErr string, ok bool) {
	if c.hang {
		c.cmd.Process.Kill()
	}
	c.cmd.Wait()
	out = c.out.String()
	for line := range strings.Lines(out) {
		if q, found := strings.CutPrefix(strings.TrimSpace(line), resultPrefix); found {
			msg, err := strconv.Unquote(q)
			return out, msg, err == nil
		}
	}
	return out, "", false
}

// runChildren runs the parts at once and returns each one's Run error
// message, failing the test when one reports none.
func runChildren(t *testing.T, parts ...rankPart) (outs, errs []string) {
	t.Helper()
	var cs []*child
	for _, p := range parts {
		cs = append(cs, startChild(t, p))
	}
	for i, c := range cs {
		out, msg, ok := c.wait()
		if !ok {
			t.Fatalf("child %d (%+v) reported no result:\n%s", i, parts[i], out)
		}
		outs, errs = append(outs, out), append(errs, msg)
	}
	return outs, errs
}

// TestHelperRank is a child of the tests across processes; it does
// nothing in a normal run.
func TestHelperRank(t *testing.T) {
	var p rankPart
	if err := json.Unmarshal([]byte(os.Getenv(rankEnv)), &p); err != nil {
		t.Skip("runs only as the child of a test across processes")
	}
	cfg := processConfig(t)
	cfg.GPUs, cfg.Output, cfg.Resume = p.GPUs, p.Output, p.Resume
	cfg.Dist = DistConfig{WorldSize: p.WorldSize, Rank: p.Rank, URL: p.URL, Timeout: p.Timeout}
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	cfg.Hooks.OnStep(func(s StepInfo) error {
		switch {
		case s.GlobalStep != p.At:
		case p.Fault == "exit":
			os.Exit(3)
		case p.Fault == "hang":
			select {}
		case p.Fault == "stop":
			cancel(errTestSignal)
		}
		return nil
	})
	msg := ""
	if err := Run(ctx, cfg, os.Stdout); err != nil {
		msg = err.Error()
	}
	os.Stdout.WriteString(resultPrefix + strconv.Quote(msg) + "\n")
}

// errTestSignal is the cause of a child's stop.
var errTestSignal = testSignal{}

type testSignal struct{}

func (testSignal) Error() string { return "test signal" }

// pair returns the parts of two processes of one GPU each at a free URL,
// rank 0 writing into out.
func pair(t *testing.T, out string) (rank0, rank1 rankPart) {
	url := freeURL(t)
	rank0 = rankPart{URL: url, WorldSize: 2, GPUs: []int{0}, Output: out, Timeout: time.Minute}
	rank1 = rankPart{URL: url, Rank: 1, WorldSize: 2, GPUs: []int{1}, Timeout: time.Minute}
	return rank0, rank1
}

// TestTwoProcessesMatchOneProcess checks that two processes of one GPU
// each train the same weights, bit for bit, as one process on both GPUs:
// each global rank takes the batches of the same replica of the one
// process (see Config.trainShard), computes them with the same kernels,
// and the stand-in's NCCL adds the ranks in rank order whether they are
// threads of one process or two processes. (Real NCCL may sum in another
// order across machines than within one, which would leave float32
// rounding differences.) Only rank 0 writes the output folder; its
// validation, over the whole validation set, has the one process's top-1
// and loss (the loss to float64 rounding: the one process sums it over
// its two replicas' shares).
func TestTwoProcessesMatchOneProcess(t *testing.T) {
	needDevices(t, 2)
	one := rankPart{GPUs: []int{0, 1}, Output: t.TempDir()}
	if _, errs := runChildren(t, one); errs[0] != "" {
		t.Fatalf("one process: %s", errs[0])
	}
	rank0, rank1 := pair(t, t.TempDir())
	outs, errs := runChildren(t, rank0, rank1)
	if errs[0] != "" || errs[1] != "" {
		t.Fatalf("rank 0: %s\nrank 1: %s\n%s", errs[0], errs[1], outs[1])
	}
	for _, line := range []string{"rank 1 of 2: training on -gpus 1;", "rank 1 of 2: done"} {
		if !strings.Contains(outs[1], line) {
			t.Errorf("rank 1 printed\n%s\nwant a line %q", outs[1], line)
		}
	}
	if !strings.Contains(outs[0], "(rank 0 of 2 processes, 2 devices in all)") {
		t.Errorf("rank 0's start line does not say it is rank 0 of 2:\n%s", outs[0])
	}
	a, b := lastCheckpoint(t, rank0.Output), lastCheckpoint(t, one.Output)
	sameBits(t, "two processes' weights", a.Weights, b.Weights)
	sameBits(t, "two processes' optimizer", a.Optimizer, b.Optimizer)
	got, want := valRecord(t, rank0.Output), valRecord(t, one.Output)
	if got.Top1 != want.Top1 || math.Abs(got.Loss-want.Loss) > 1e-12*math.Abs(want.Loss) {
		t.Errorf("rank 0's validation: top-1 %v loss %v; one process's: %v %v", got.Top1, got.Loss, want.Top1, want.Loss)
	}
}

// valRecord returns the last validation record of the run in dir.
func valRecord(t *testing.T, dir string) Record {
	t.Helper()
	recs, err := ReadMetricsLog(filepath.Join(dir, metricsFile))
	if err != nil {
		t.Fatal(err)
	}
	for i := len(recs) - 1; i >= 0; i-- {
		if recs[i].Split == "val" {
			return recs[i]
		}
	}
	t.Fatalf("%s has no validation record", dir)
	return Record{}
}

// oneLine checks that msg is one line that holds want.
func oneLine(t *testing.T, who, msg, want string) {
	t.Helper()
	if !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
		t.Errorf("%s: %q; want one line with %q", who, msg, want)
	}
}

// TestRankNeverArrives checks that rank 0 of two, whose rank 1 never
// starts, ends at -dist-timeout with one line naming rank 1.
func TestRankNeverArrives(t *testing.T) {
	needDevices(t, 1)
	rank0, _ := pair(t, "")
	rank0.Timeout = 500 * time.Millisecond
	start := time.Now()
	_, errs := runChildren(t, rank0)
	oneLine(t, "rank 0 alone", errs[0], "ranks [1] did not join: context deadline exceeded (-dist-timeout 500ms)")
	if waited := time.Since(start); waited > time.Minute {
		t.Errorf("rank 0 took %v to give up", waited)
	}
	t.Log(errs[0])
}

// TestRankFails checks that rank 0 of two ends with one line naming rank
// 1 when rank 1 exits after its second step (the stand-in's NCCL notices
// the exited process, as NCCL notices a closed connection: "rank 1 failed
// or left", unless the watchdog's timeout comes first on a loaded
// machine) and when it stops answering there (the -dist-timeout watchdog
// gives up on it), rather than waiting for it.
func TestRankFails(t *testing.T) {
	needDevices(t, 2)
	for _, c := range []struct{ fault, want string }{
		{"exit", "NCCL: rank 1 "},
		{"hang", "NCCL: rank 1 did not arrive at a collective the other ranks waited"},
	} {
		t.Run(c.fault, func(t *testing.T) {
			rank0, rank1 := pair(t, "")
			rank0.Timeout = 2 * time.Second
			rank1.Fault, rank1.At = c.fault, 2
			c0, c1 := startChild(t, rank0), startChild(t, rank1)
			out, msg, ok := c0.wait()
			if !ok {
				t.Fatalf("rank 0 reported no result:\n%s", out)
			}
			if out, _, ok := c1.wait(); ok {
				t.Fatalf("rank 1 ended well:\n%s", out)
			}
			oneLine(t, "rank 0 after rank 1 failed", msg, c.want)
			t.Log(msg)
		})
	}
}

// TestRanksWithOtherDevices checks that a process that drives another
// number of GPUs than rank 0 is refused at the start, on both, with one
// line saying so, rather than building an inconsistent communicator.
func TestRanksWithOtherDevices(t *testing.T) {
	needDevices(t, 2)
	rank0, rank1 := pair(t, "")
	rank1.GPUs = []int{0, 1}
	_, errs := runChildren(t, rank0, rank1)
	const reason = "rank 1 drives 2 device(s), rank 0 drives 1: every process needs as many (-gpus)"
	oneLine(t, "rank 0", errs[0], reason)
	oneLine(t, "rank 1", errs[1], "rank 1: dist: rank 1, waiting for the other ranks at")
	oneLine(t, "rank 1", errs[1], reason)
}

// TestTwoProcessesResume stops two processes in the middle of their
// first epoch (after global step 2 of 4, rank 0 saving where it stops),
// resumes both from rank 0's folder, and checks that they end with the
// weights and optimizer state of one process on both GPUs that was never
// stopped, bit for bit: every rank reads the same checkpoint and skips
// its own shard's batches of the epoch so far.
func TestTwoProcessesResume(t *testing.T) {
	needDevices(t, 2)
	one := rankPart{GPUs: []int{0, 1}, Output: t.TempDir()}
	if _, errs := runChildren(t, one); errs[0] != "" {
		t.Fatalf("one process: %s", errs[0])
	}
	dir := t.TempDir()
	rank0, rank1 := pair(t, dir)
	rank0.Fault, rank0.At, rank1.Fault, rank1.At = "stop", 2, "stop", 2
	_, errs := runChildren(t, rank0, rank1)
	oneLine(t, "rank 0 stopped", errs[0], "stopped at epoch 1 step 2 of 4 (test signal); checkpoint "+filepath.Join(dir, "checkpoint-epoch001-step000002.json"))
	oneLine(t, "rank 1 stopped", errs[1], "rank 1: stopped at epoch 1 step 2 of 4 (test signal); rank 0 saves the run")

	rank0, rank1 = pair(t, dir)
	rank0.Resume, rank1.Resume = dir, dir
	if _, errs := runChildren(t, rank0, rank1); errs[0] != "" || errs[1] != "" {
		t.Fatalf("resumed, rank 0: %s\nrank 1: %s", errs[0], errs[1])
	}
	a, b := lastCheckpoint(t, dir), lastCheckpoint(t, one.Output)
	sameBits(t, "two resumed processes' weights", a.Weights, b.Weights)
	sameBits(t, "two resumed processes' optimizer", a.Optimizer, b.Optimizer)
}
