package checkpoint

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
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
	want := []string{"best.json", "best.optim.safetensors", "best.safetensors",
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

	// best is a full checkpoint, which a run can resume from.
	best, err := Load(filepath.Join(dir, "best.json"))
	if err != nil || best.Epoch != 4 || !best.Resumable || len(best.Optimizer) != 1 {
		t.Fatalf("best: epoch %v optimizer %v resumable %v err %v, want epoch 4 with its optimizer", best.Epoch, best.Optimizer, best.Resumable, err)
	}

	// A resumed run remembers the best value and its epoch.
	c2, err := NewSaver(dir, 2, "val_top1", false)
	if v, e := c2.Best(); err != nil || v != 40 || e != 4 {
		t.Fatalf("resumed best %v at epoch %d (%v), want 40 at 4", v, e, err)
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
	if v, e := c.Best(); v != 1 || e != 2 {
		t.Fatalf("best %v at epoch %d, want 1 at 2", v, e)
	}
	if n := len(dirNames(t, c.Dir)); n != 4*3+4 {
		t.Fatalf("Keep 0 kept %d files, want all 16", n)
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
	if v, _ := c.Best(); v != 50 {
		t.Fatalf("best %v after a failed save, want 50", v)
	}
}

// TestMidEpochCheckpoints saves checkpoints during epochs, as a stopped
// run and -save-every do: they carry their progress, never become best,
// and go once a later checkpoint is saved.
func TestMidEpochCheckpoints(t *testing.T) {
	dir := t.TempDir()
	c, err := NewSaver(dir, 1, "val_top1", false)
	if err != nil {
		t.Fatal(err)
	}
	mid := func(epochsDone, steps int) *Checkpoint {
		ck := testCheckpoint(epochsDone, 99) // a metric that would win, were it counted
		ck.InEpoch = &EpochProgress{Steps: steps, Images: 8 * steps, LossSum: 0.1 + float64(steps), Seconds: 1.5,
			TopKCorrect: []int64{int64(steps), 7}, TopKTotal: 80}
		return ck
	}
	save := func(ck *Checkpoint, wantName string) {
		t.Helper()
		path, err := c.Save(ck)
		if err != nil || filepath.Base(path) != wantName {
			t.Fatalf("saved %s (%v), want %s", path, err, wantName)
		}
	}
	save(testCheckpoint(1, 10), "checkpoint-epoch001.json")
	save(mid(1, 5), "checkpoint-epoch002-step000005.json")
	got, err := Load(dir)
	if err != nil || !reflect.DeepEqual(got.InEpoch, mid(1, 5).InEpoch) {
		t.Fatalf("latest %+v (%v), want epoch 2 step 5's progress", got, err)
	}
	if v, e := c.Best(); v != 10 || e != 1 {
		t.Fatalf("a mid-epoch checkpoint became best: %v at epoch %d", v, e)
	}
	save(mid(1, 10), "checkpoint-epoch002-step000010.json")
	want := []string{"best.json", "best.optim.safetensors", "best.safetensors",
		"checkpoint-epoch001.json", "checkpoint-epoch001.optim.safetensors", "checkpoint-epoch001.safetensors",
		"checkpoint-epoch002-step000010.json", "checkpoint-epoch002-step000010.optim.safetensors", "checkpoint-epoch002-step000010.safetensors",
		"latest"}
	if got := dirNames(t, dir); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	save(testCheckpoint(2, 20), "checkpoint-epoch002.json")
	want = []string{"best.json", "best.optim.safetensors", "best.safetensors",
		"checkpoint-epoch002.json", "checkpoint-epoch002.optim.safetensors", "checkpoint-epoch002.safetensors", "latest"}
	if got := dirNames(t, dir); !slices.Equal(got, want) {
		t.Fatalf("files %v, want %v", got, want)
	}
	st, err := ReadState(dir)
	if err != nil || st.Epoch != 2 || st.InEpoch != nil || st.Metrics["val_top1"] != 20 {
		t.Fatalf("ReadState: %+v (%v), want epoch 2's state", st, err)
	}
}

func TestSaverWrites(t *testing.T) {
	for name, want := range map[string]bool{
		"checkpoint-epoch003.json": true, "checkpoint-epoch003-step000010.optim.safetensors": true,
		"best.json": true, "best.optim.safetensors": true, "latest": true,
		"metrics.jsonl": false, "checkpoint-final.json": false, "notes.txt": false, "run.lock": false,
	} {
		if got := SaverWrites(name); got != want {
			t.Errorf("SaverWrites(%q) = %v, want %v", name, got, want)
		}
	}
}
