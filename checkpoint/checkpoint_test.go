package checkpoint

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
)

func testCheckpoint(epoch int, top1 float64) *Checkpoint {
	e := float32(epoch)
	return &Checkpoint{
		State: State{
			Epoch: epoch, Step: int64(100 * epoch), ScheduleStep: int64(100*epoch + 1),
			OptimizerScalars: map[string]float64{"adam_step": float64(epoch)},
			RNG:              []uint64{math.MaxUint64, uint64(epoch)},
			Flags:            map[string]string{"model": "resnet18"},
			Metrics:          map[string]float64{"val_top1": top1, "val_miou": math.NaN()},
		},
		Weights: []Tensor{
			{Name: "conv1.weight", Shape: []int{2, 1, 2, 3}, Data: []float32{e, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}},
			{Name: "bn1.running_mean", Shape: []int{2}, Data: []float32{e, -e}},
		},
		Optimizer: []Tensor{{Name: "momentum/conv1.weight", Shape: []int{2, 1, 2, 3}, Data: make([]float32, 12)}},
	}
}

func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

func TestCheckpointSaveLoadPrune(t *testing.T) {
	dir := t.TempDir()
	if _, err := Load(dir); !errors.Is(err, ErrNotFound) {
		t.Fatalf("empty dir: %v, want ErrNotFound", err)
	}
	c, err := NewSaver(dir, 2, "val_top1", false)
	if err != nil {
		t.Fatal(err)
	}
	// An orphan of a crashed save, older than what is kept.
	os.WriteFile(filepath.Join(dir, "checkpoint-epoch000.safetensors"), []byte("junk"), 0o644)
	for i, top1 := range []float64{10, 30, 20, 40, 35} {
		if _, err := c.Save(testCheckpoint(i+1, top1)); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"best.json", "best.safetensors",
		"checkpoint-epoch004.json", "checkpoint-epoch004.optim.safetensors", "checkpoint-epoch004.safetensors",
		"checkpoint-epoch005.json", "checkpoint-epoch005.optim.safetensors", "checkpoint-epoch005.safetensors",
		"latest"}
	if got := dirNames(t, dir); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}

	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	w := testCheckpoint(5, 35)
	if got.Epoch != 5 || got.Step != 500 || got.ScheduleStep != 501 || !slices.Equal(got.RNG, w.RNG) ||
		got.Flags["model"] != "resnet18" || got.OptimizerScalars["adam_step"] != 5 ||
		got.Metrics["val_top1"] != 35 || !math.IsNaN(got.Metrics["val_miou"]) {
		t.Fatalf("state %+v, want %+v", got.State, w.State)
	}
	for i, wt := range append(w.Weights, w.Optimizer...) {
		all := append(got.Weights, got.Optimizer...)
		j := slices.IndexFunc(all, func(h Tensor) bool { return h.Name == wt.Name })
		if j < 0 || !slices.Equal(all[j].Shape, wt.Shape) || !slices.Equal(all[j].Data, wt.Data) {
			t.Fatalf("tensor %d %s not restored: %+v", i, wt.Name, all)
		}
	}

	best, err := Load(filepath.Join(dir, "best.json"))
	if err != nil || best.Epoch != 4 || best.Optimizer != nil {
		t.Fatalf("best: epoch %v optimizer %v err %v, want epoch 4 without optimizer", best.Epoch, best.Optimizer, err)
	}

	// A resumed run remembers the best value.
	c2, err := NewSaver(dir, 2, "val_top1", false)
	if err != nil || c2.Best() != 40 {
		t.Fatalf("resumed best %v (%v), want 40", c2.Best(), err)
	}
	if _, err := c2.Save(testCheckpoint(6, 39)); err != nil {
		t.Fatal(err)
	}
	if b, _ := Load(filepath.Join(dir, "best.json")); b.Epoch != 4 {
		t.Fatalf("best moved to epoch %d on a worse metric", b.Epoch)
	}
}

func TestCheckpointLowerIsBetter(t *testing.T) {
	c, err := NewSaver(t.TempDir(), 0, "val_top1", true)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range []float64{3, 1, math.NaN(), 2} {
		if _, err := c.Save(testCheckpoint(i+1, v)); err != nil {
			t.Fatal(err)
		}
	}
	if c.Best() != 1 {
		t.Fatalf("best %v, want 1", c.Best())
	}
	if n := len(dirNames(t, c.Dir)); n != 4*3+3 {
		t.Fatalf("Keep 0 kept %d files, want all 15", n)
	}
}

func TestCheckpointCorrupt(t *testing.T) {
	dir := t.TempDir()
	c, _ := NewSaver(dir, 3, "", false)
	if _, err := c.Save(testCheckpoint(1, 0)); err != nil {
		t.Fatal(err)
	}
	files := dirNames(t, dir)
	damage := map[string]func(path string) error{
		"flipped byte": func(p string) error {
			b, _ := os.ReadFile(p)
			b[len(b)-1] ^= 1
			return os.WriteFile(p, b, 0o644)
		},
		"truncated": func(p string) error {
			fi, _ := os.Stat(p)
			return os.Truncate(p, fi.Size()/2)
		},
		"removed": os.Remove,
	}
	for _, victim := range []string{"checkpoint-epoch001.safetensors", "checkpoint-epoch001.optim.safetensors", "checkpoint-epoch001.json"} {
		for how, f := range damage {
			orig, _ := os.ReadFile(filepath.Join(dir, victim))
			if err := f(filepath.Join(dir, victim)); err != nil {
				t.Fatal(err)
			}
			_, err := Load(dir)
			if err == nil || !strings.Contains(err.Error(), victim) {
				t.Errorf("%s %s: error %v, want one naming the file", how, victim, err)
			}
			os.WriteFile(filepath.Join(dir, victim), orig, 0o644)
		}
	}
	if _, err := Load(dir); err != nil || !slices.Equal(dirNames(t, dir), files) {
		t.Fatalf("restored dir does not load: %v", err)
	}
}

func TestCheckpointFailedSaveKeepsPrevious(t *testing.T) {
	dir := t.TempDir()
	c, _ := NewSaver(dir, 1, "val_top1", false)
	if _, err := c.Save(testCheckpoint(1, 50)); err != nil {
		t.Fatal(err)
	}
	// A non-empty folder where epoch 2's state file goes makes its final
	// rename fail after the tensor files were written, as a full disk would.
	if err := os.MkdirAll(filepath.Join(dir, "checkpoint-epoch002.json", "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	_, err := c.Save(testCheckpoint(2, 60))
	if err == nil || !strings.Contains(err.Error(), "checkpoint-epoch002.json") || strings.Contains(err.Error(), "\n") {
		t.Fatalf("error %v, want one line naming checkpoint-epoch002.json", err)
	}
	got, err := Load(dir)
	if err != nil || got.Epoch != 1 {
		t.Fatalf("after a failed save latest is epoch %v (%v), want 1", got, err)
	}
	if c.Best() != 50 {
		t.Fatalf("best %v after a failed save, want 50", c.Best())
	}
}
