package train

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gocnn/gocnn/checkpoint"
	"github.com/gocnn/gocnn/nn"
)

// TestOutputFolderIsHeld: a run holds its folder while it runs and lets it
// go when it ends; a second run into a held folder is refused with a line
// naming the holder.
func TestOutputFolderIsHeld(t *testing.T) {
	cfg := tinyConfig(t, 16)
	lockPath := filepath.Join(cfg.Output, checkpoint.LockName)
	var second error
	cfg.Hooks.OnStep(func(s StepInfo) error {
		if s.GlobalStep == 1 {
			if _, err := os.Stat(lockPath); err != nil {
				t.Errorf("no lock while running: %v", err)
			}
			other := cfg
			other.Hooks = Hooks{}
			second = Run(context.Background(), other, io.Discard)
		}
		return nil
	})
	run(t, cfg)
	want := "-output " + cfg.Output + " is in use by another run, pid " + strconv.Itoa(os.Getpid())
	if second == nil || !strings.HasPrefix(second.Error(), want) || strings.Contains(second.Error(), "\n") {
		t.Fatalf("second run into the folder: %v, want one line starting %q", second, want)
	}
	if _, err := os.Stat(lockPath); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("lock after the run: %v, want it released", err)
	}
}

// TestOutputFolderLeftovers: a run takes over the lock of a killed run and
// removes the temporary files its saves left, saying so.
func TestOutputFolderLeftovers(t *testing.T) {
	cfg := tinyConfig(t, 16)
	stopAfterOneEpoch(t, cfg)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dead := exec.Command(exe, "-test.run=^$")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	b, _ := json.Marshal(checkpoint.Holder{PID: dead.Process.Pid, Host: host, Start: time.Now()})
	os.WriteFile(filepath.Join(cfg.Output, checkpoint.LockName), b, 0o644)
	for _, n := range []string{".checkpoint-epoch002.safetensors.tmp-1234", ".curves.png.tmp-99"} {
		os.WriteFile(filepath.Join(cfg.Output, n), []byte("partial"), 0o644)
	}
	cfg.Resume = cfg.Output
	var out strings.Builder
	if err := Run(context.Background(), cfg, &out); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"took over " + filepath.Join(cfg.Output, checkpoint.LockName) + " from pid " + strconv.Itoa(dead.Process.Pid) + " on " + host,
		"removed 2 temporary file(s) that an interrupted save left in " + cfg.Output + "\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output\n%s\nlacks %q", out.String(), want)
		}
	}
	names, _ := filepath.Glob(filepath.Join(cfg.Output, ".*"))
	if len(names) > 0 {
		t.Errorf("left behind: %v", names)
	}
}

// TestFreshRunRefusesToOverwrite: a fresh run into a folder holding a file
// it would write is refused, naming the file; the file is untouched.
func TestFreshRunRefusesToOverwrite(t *testing.T) {
	for _, name := range []string{metricsFile, curvesFile, "best.json", "checkpoint-epoch001.optim.safetensors",
		"events.out.tfevents.1767323045.host"} {
		cfg := tinyConfig(t, 16)
		path := filepath.Join(cfg.Output, name)
		os.WriteFile(path, []byte("someone's"), 0o644)
		err := Run(context.Background(), cfg, io.Discard)
		want := "-output " + cfg.Output + " holds " + name + ", which a fresh run would overwrite"
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", name, err, want)
		}
		if b, _ := os.ReadFile(path); string(b) != "someone's" {
			t.Errorf("%s was overwritten", name)
		}
		if _, err := os.Stat(filepath.Join(cfg.Output, checkpoint.LockName)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s: the refused run left its lock: %v", name, err)
		}
	}
}

// TestNaNValidationLossIsNeverBest makes the last step of epoch 1 diverge
// (NaN weights after a finite training loss): the run must end with the
// NaN error and save nothing of that epoch, least of all as best.
func TestNaNValidationLossIsNeverBest(t *testing.T) {
	cfg := tinyConfig(t, 16)
	var tr *trainer
	cfg.Hooks.OnStep(func(s StepInfo) error {
		if s.Step == s.Steps {
			for _, r := range tr.reps {
				w := checkpoint.Weights(r.model)
				for i := range w {
					for j := range w[i].Data {
						w[i].Data[j] = float32(math.NaN())
					}
				}
				if err := checkpoint.SetWeights(r.model, "poison", w); err != nil {
					return err
				}
			}
		}
		return nil
	})
	claim, err := claimOutput(&cfg, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer claim.release()
	if tr, err = newTrainer(&cfg, io.Discard); err != nil {
		t.Fatal(err)
	}
	defer tr.close()
	err = tr.run(context.Background())
	want := "train: validation loss is NaN after epoch 1, which is not saved; last good checkpoint: none"
	if err == nil || err.Error() != want {
		t.Fatalf("error %v, want %q", err, want)
	}
	for _, name := range []string{"best.json", "latest", "checkpoint-epoch001.json", metricsFile} {
		if _, err := os.Stat(filepath.Join(cfg.Output, name)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s saved after a NaN validation loss (%v)", name, err)
		}
	}
}

// TestStartAndEndLines checks the line a run starts with (model,
// parameters, devices, data, output) and the one it ends with (the best
// metric, which the log holds, and where the files are).
func TestStartAndEndLines(t *testing.T) {
	cfg := tinyConfig(t, 16)
	var out strings.Builder
	if err := Run(context.Background(), cfg, &out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	params := nn.NumParams(newReplicasForTest(t, cfg))
	wantStart := "resnet20, " + groupDigits(params) + " parameters, on cpu; builtin: 16 training and 16 validation images, 10 classes; output " + cfg.Output
	if lines[0] != wantStart {
		t.Errorf("first line\n%q, want\n%q", lines[0], wantStart)
	}
	recs, err := ReadMetricsLog(filepath.Join(cfg.Output, metricsFile))
	if err != nil {
		t.Fatal(err)
	}
	best := Record{Top1: -1}
	for _, r := range recs {
		if r.Split == "val" && r.Top1 > best.Top1 {
			best = r
		}
	}
	m := regexp.MustCompile(`^best val top-1 ([0-9.]+)% at epoch (\d+); checkpoints, metrics.jsonl and curves.png are in (.+)$`).FindStringSubmatch(lines[len(lines)-1])
	if m == nil || m[1] != strconv.FormatFloat(best.Top1, 'f', 2, 64) || m[2] != strconv.Itoa(best.Epoch) || m[3] != cfg.Output {
		t.Errorf("last line %q, want the best val top-1 %.2f%% at epoch %d and %s", lines[len(lines)-1], best.Top1, best.Epoch, cfg.Output)
	}
}

// newReplicasForTest builds cfg's model as Run does, for its parameter
// count.
func newReplicasForTest(t *testing.T, cfg Config) nn.Module {
	t.Helper()
	reps, err := newReplicas(&cfg, 1, 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeReplicas(reps) })
	return reps[0].model
}

func TestGroupDigits(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 272474: "272,474", 25557032: "25,557,032"} {
		if got := groupDigits(n); got != want {
			t.Errorf("groupDigits(%d) = %q, want %q", n, got, want)
		}
	}
}
