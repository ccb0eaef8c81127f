package train

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/checkpoint"
)

// TestResumeRefusesChangedSettings resumes a run with other flags: each
// change that breaks the exact resume is named with its old and new value,
// in one line; -resume-allow lets the allowable ones through.
func TestResumeRefusesChangedSettings(t *testing.T) {
	done := tinyConfig(t, 16)
	stopAfterOneEpoch(t, done)
	for _, tc := range []struct {
		name    string
		edit    func(c *Config)
		want    []string
		wantNot []string
	}{
		{"schedule", func(c *Config) { c.Epochs, c.LR = 3, 0.1 },
			[]string{"-epochs 2 -> 3", "-lr 0.05 -> 0.1", "add -resume-allow epochs,lr"}, []string{"cannot change"}},
		{"data order", func(c *Config) { c.Batch, c.Seed = 4, 7 },
			[]string{"-batch 8 -> 4", "-seed 1 -> 7", "-batch, -seed cannot change on resume", "-weights " + filepath.Join(done.Output, "checkpoint-epoch001.safetensors")},
			[]string{"-resume-allow"}},
		{"allowed in part", func(c *Config) { c.Epochs, c.LR, c.ResumeAllow = 3, 0.1, []string{"epochs"} },
			[]string{"-lr 0.05 -> 0.1 differs", "-resume-allow lr"}, []string{"-epochs"}},
		{"data", func(c *Config) { c.Limit = 24 },
			[]string{"training images 16 -> 24", "validation images 16 -> 24", "-limit 16 -> 24"}, nil},
		{"freeze", func(c *Config) { c.Freeze = []string{"!linear."} },
			[]string{"-freeze (none) -> !linear. differs", "-freeze cannot change on resume"}, []string{"-resume-allow"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := done
			cfg.Resume = done.Output
			tc.edit(&cfg)
			err := Run(context.Background(), cfg, io.Discard)
			if err == nil || strings.Contains(err.Error(), "\n") {
				t.Fatalf("error %v, want one line", err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(err.Error(), w) {
					t.Errorf("error %q has %q", err, w)
				}
			}
		})
	}
	// Allowed, more epochs go on from the checkpoint.
	more := done
	more.Resume, more.Epochs, more.ResumeAllow = done.Output, 3, []string{"epochs"}
	run(t, more)
	if ck, err := checkpoint.ReadState(done.Output); err != nil || ck.Epoch != 3 || ck.Flags["epochs"] != "3" {
		t.Fatalf("after resuming with -epochs 3: %+v (%v)", ck, err)
	}
}

func TestValidateResumeAllow(t *testing.T) {
	for _, tc := range []struct {
		allow  []string
		resume string
		want   string
	}{
		{[]string{"epochs", "lr"}, "runs/x", ""},
		{[]string{"batch"}, "runs/x", "-resume-allow batch: -batch decides"},
		{[]string{"epoch"}, "runs/x", `-resume-allow "epoch": want some of epochs,lr,`},
		{[]string{"epochs"}, "", "only for a resumed run"},
	} {
		c := DefaultConfig()
		c.ResumeAllow, c.Resume = tc.allow, tc.resume
		err := c.Validate()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("-resume-allow %v: %v, want %q", tc.allow, err, tc.want)
		}
	}
}

// TestResumeFromBest resumes a run from its best checkpoint, which holds
// the optimizer too; a checkpoint of weights only is refused in one line.
func TestResumeFromBest(t *testing.T) {
	cfg := tinyConfig(t, 16)
	run(t, cfg)
	best := filepath.Join(cfg.Output, "best.json")
	st, err := checkpoint.ReadState(best)
	if err != nil {
		t.Fatal(err)
	}
	again := cfg
	again.Resume, again.Epochs, again.ResumeAllow = best, 3, []string{"epochs"}
	var out strings.Builder
	if err := Run(context.Background(), again, &out); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "resuming "+best+" at epoch "+itoa(st.Epoch+1)) {
		t.Errorf("output\n%s\nsays nothing of resuming best.json", out.String())
	}

	// best.json as older versions wrote it: weights only.
	b, err := os.ReadFile(best)
	if err != nil {
		t.Fatal(err)
	}
	var f map[string]any
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	delete(f["files"].(map[string]any), "optimizer")
	b, _ = json.Marshal(f)
	if err := os.WriteFile(best, b, 0o644); err != nil {
		t.Fatal(err)
	}
	err = Run(context.Background(), again, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "holds weights only") || !strings.Contains(err.Error(), "-weights "+filepath.Join(cfg.Output, "best.safetensors")) {
		t.Fatalf("resuming a weights-only checkpoint: %v", err)
	}
}

// TestResumeFinishedRun: resuming a run that has no epoch left says so and
// where its results are, and trains nothing.
func TestResumeFinishedRun(t *testing.T) {
	cfg := tinyConfig(t, 16)
	run(t, cfg)
	before, err := os.ReadFile(filepath.Join(cfg.Output, metricsFile))
	if err != nil {
		t.Fatal(err)
	}
	again := cfg
	again.Resume = cfg.Output
	var out strings.Builder
	if err := Run(context.Background(), again, &out); err != nil {
		t.Fatal(err)
	}
	want := cfg.Output + " holds a finished run: 2 of 2 epochs done; best val top-1 "
	if got := out.String(); !strings.HasPrefix(got, want) || !strings.Contains(got, "its results are in "+cfg.Output) || strings.Count(got, "\n") != 1 {
		t.Errorf("output %q, want one line starting %q and saying where the results are", got, want)
	}
	after, _ := os.ReadFile(filepath.Join(cfg.Output, metricsFile))
	if string(after) != string(before) {
		t.Error("resuming a finished run changed its metrics log")
	}
}
