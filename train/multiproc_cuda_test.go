//go:build cuda

package train

import (
	"context"
	"encoding/json"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The tests of training across processes run rank 0 in the test and the
// other ranks in children, this test binary again running
// TestHelperRank, on the stand-in's devices (GOCNN_SIM_DEVICES=2): the
// stand-in's NCCL joins ranks of several processes through shared memory.

// rankEnv passes a child its part, a rankPart in JSON.
const rankEnv = "GOCNN_TRAIN_TEST_RANK"

// rankPart is a child rank's part in a test across processes.
type rankPart struct {
	URL  string
	Rank int
	// Fault is "" or what the child does at step At: "exit" (as a crashed
	// node), "hang" (a node that stops answering), "stop" (Ctrl-C: it
	// stops there, as rank 0 does); or "twogpus": it drives GPUs 0 and 1,
	// not GPU Rank.
	Fault  string
	At     int64
	Resume string // -resume
}

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

// startRank starts a child rank of two processes, on GPU p.Rank unless
// p.Fault says otherwise. The returned function waits for it, killing a
// child that hangs, and returns its output.
func startRank(t *testing.T, p rankPart) func() (string, error) {
	t.Helper()
	part, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperRank$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), rankEnv+"="+string(part))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return func() (string, error) {
		if p.Fault == "hang" {
			cmd.Process.Kill()
		}
		err := cmd.Wait()
		return out.String(), err
	}
}

// TestHelperRank is a child rank of the tests across processes; it does
// nothing in a normal run.
func TestHelperRank(t *testing.T) {
	var p rankPart
	if err := json.Unmarshal([]byte(os.Getenv(rankEnv)), &p); err != nil {
		t.Skip("runs only as the child of a test across processes")
	}
	cfg := processConfig(t)
	cfg.GPUs, cfg.Output, cfg.Resume = []int{p.Rank}, "", p.Resume
	if p.Fault == "twogpus" {
		cfg.GPUs = []int{0, 1}
	}
	cfg.Dist = DistConfig{WorldSize: 2, Rank: p.Rank, URL: p.URL, Timeout: time.Minute}
	if p.Fault == "stop" {
		const want = "rank 1: stopped at epoch 1 step 2 of 4 (test signal); rank 0 saves the run"
		if st := stopAt(t, cfg, p.At); st.Error() != want {
			t.Errorf("rank 1 stopped with %q, want %q", st, want)
		}
		return
	}
	cfg.Hooks.OnStep(func(s StepInfo) error {
		switch {
		case s.GlobalStep != p.At:
		case p.Fault == "exit":
			os.Exit(3)
		case p.Fault == "hang":
			select {}
		}
		return nil
	})
	if err := Run(context.Background(), cfg, os.Stdout); err != nil {
		t.Fatal(err)
	}
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
	one := processConfig(t)
	one.GPUs, one.Output = []int{0, 1}, t.TempDir()
	run(t, one)

	url := freeURL(t)
	wait := startRank(t, rankPart{URL: url, Rank: 1})
	multi := processConfig(t)
	multi.GPUs, multi.Output = []int{0}, t.TempDir()
	multi.Dist = DistConfig{WorldSize: 2, URL: url, Timeout: time.Minute}
	var out strings.Builder
	err := Run(context.Background(), multi, &out)
	childOut, childErr := wait()
	if err != nil || childErr != nil {
		t.Fatalf("rank 0: %v\nrank 1: %v\n%s", err, childErr, childOut)
	}
	for _, line := range []string{"rank 1 of 2: training on -gpus 1;", "rank 1 of 2: done"} {
		if !strings.Contains(childOut, line) {
			t.Errorf("rank 1 printed\n%s\nwant a line %q", childOut, line)
		}
	}
	if !strings.Contains(out.String(), "(rank 0 of 2 processes, 2 devices in all)") {
		t.Errorf("rank 0's start line does not say it is rank 0 of 2:\n%s", out.String())
	}
	a, b := lastCheckpoint(t, multi.Output), lastCheckpoint(t, one.Output)
	sameBits(t, "two processes' weights", a.Weights, b.Weights)
	sameBits(t, "two processes' optimizer", a.Optimizer, b.Optimizer)
	got, want := valRecord(t, multi.Output), valRecord(t, one.Output)
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

// TestRankNeverArrives checks that rank 0 of two, whose rank 1 never
// starts, ends at -dist-timeout with one line naming rank 1.
func TestRankNeverArrives(t *testing.T) {
	needDevices(t, 1)
	cfg := processConfig(t)
	cfg.GPUs = []int{0}
	cfg.Dist = DistConfig{WorldSize: 2, URL: freeURL(t), Timeout: 500 * time.Millisecond}
	start := time.Now()
	err := Run(context.Background(), cfg, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ranks [1] did not join") || !strings.Contains(err.Error(), "-dist-timeout 500ms") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("rank 0 alone: %v; want one line naming rank 1 and -dist-timeout", err)
	}
	if waited := time.Since(start); waited > time.Minute {
		t.Errorf("rank 0 took %v to give up", waited)
	}
	t.Log(err)
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
			url := freeURL(t)
			wait := startRank(t, rankPart{URL: url, Rank: 1, Fault: c.fault, At: 2})
			cfg := processConfig(t)
			cfg.GPUs = []int{0}
			cfg.Dist = DistConfig{WorldSize: 2, URL: url, Timeout: 2 * time.Second}
			err := Run(context.Background(), cfg, io.Discard)
			childOut, childErr := wait()
			if childErr == nil {
				t.Fatalf("rank 1 ended well:\n%s", childOut)
			}
			if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
				t.Fatalf("rank 0 after rank 1 failed: %v; want one line with %q", err, c.want)
			}
			t.Log(err)
		})
	}
}

// TestRanksWithOtherDevices checks that a process that drives another
// number of GPUs than rank 0 is refused at the start, on both, with one
// line saying so, rather than building an inconsistent communicator.
func TestRanksWithOtherDevices(t *testing.T) {
	needDevices(t, 2)
	url := freeURL(t)
	wait := startRank(t, rankPart{URL: url, Rank: 1, Fault: "twogpus"})
	cfg := processConfig(t)
	cfg.GPUs = []int{0}
	cfg.Dist = DistConfig{WorldSize: 2, URL: url, Timeout: time.Minute}
	err := Run(context.Background(), cfg, io.Discard)
	childOut, childErr := wait()
	const reason = "rank 1 drives 2 device(s), rank 0 drives 1: every process needs as many (-gpus)"
	if err == nil || !strings.Contains(err.Error(), reason) || strings.Contains(err.Error(), "\n") {
		t.Errorf("rank 0: %v; want one line with %q", err, reason)
	}
	if childErr == nil || !strings.Contains(childOut, "rank 1: dist: rank 1, waiting for the other ranks at") || !strings.Contains(childOut, reason) {
		t.Errorf("rank 1 (%v) printed\n%s\nwant its rank and %q", childErr, childOut, reason)
	}
}

// TestTwoProcessesResume stops two processes in the middle of their
// first epoch (after global step 2 of 4, rank 0 saving where it stops),
// resumes both from rank 0's folder, and checks that they end with the
// weights and optimizer state of one process on both GPUs that was never
// stopped, bit for bit: every rank reads the same checkpoint and skips
// its own shard's batches of the epoch so far.
func TestTwoProcessesResume(t *testing.T) {
	needDevices(t, 2)
	one := processConfig(t)
	one.GPUs, one.Output = []int{0, 1}, t.TempDir()
	run(t, one)

	multi := processConfig(t)
	multi.GPUs, multi.Output = []int{0}, t.TempDir()
	multi.Dist = DistConfig{WorldSize: 2, URL: freeURL(t), Timeout: time.Minute}
	wait := startRank(t, rankPart{URL: multi.Dist.URL, Rank: 1, Fault: "stop", At: 2})
	st := stopAt(t, multi, 2)
	if out, err := wait(); err != nil || st.Step != 2 || st.Checkpoint == "" {
		t.Fatalf("rank 0 stopped with %v, want a checkpoint after step 2; rank 1: %v\n%s", st, err, out)
	}

	multi.Resume, multi.Dist.URL = multi.Output, freeURL(t)
	wait = startRank(t, rankPart{URL: multi.Dist.URL, Rank: 1, Resume: multi.Output})
	err := Run(context.Background(), multi, io.Discard)
	if out, childErr := wait(); err != nil || childErr != nil {
		t.Fatalf("resumed, rank 0: %v\nrank 1: %v\n%s", err, childErr, out)
	}
	a, b := lastCheckpoint(t, multi.Output), lastCheckpoint(t, one.Output)
	sameBits(t, "two resumed processes' weights", a.Weights, b.Weights)
	sameBits(t, "two resumed processes' optimizer", a.Optimizer, b.Optimizer)
}
