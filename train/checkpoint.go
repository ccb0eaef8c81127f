package train

import (
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// State is the JSON half of a checkpoint: everything needed to resume a
// run besides tensors.
type State struct {
	Epoch int   `json:"epoch"` // epochs completed
	Step  int64 `json:"step"`  // optimizer steps taken
	// ScheduleStep is the learning-rate schedule's position.
	ScheduleStep int64 `json:"schedule_step"`
	// OptimizerScalars holds the optimizer's plain numbers (Adam's step
	// count, ...); its per-parameter tensors go to the optimizer file.
	OptimizerScalars map[string]float64 `json:"optimizer_scalars,omitempty"`
	RNG              []uint64           `json:"rng,omitempty"`
	Flags            map[string]string  `json:"flags,omitempty"`
	// Metrics of the epoch (NaN: not measured), e.g. "val_top1".
	Metrics map[string]float64 `json:"metrics,omitempty"`
}

// Checkpoint is a resumable snapshot of a run.
type Checkpoint struct {
	State
	// Weights are the model's parameters and buffers with torchvision
	// names, in gocnn layout (4-D filters KRSC).
	Weights []HostTensor
	// Optimizer holds per-parameter optimizer tensors (momentum buffers,
	// ...), named by the optimizer, stored in gocnn layout as given.
	Optimizer []HostTensor
}

// checkpointFile is the JSON written next to the tensor files. The CRC-32C
// sums catch corruption that keeps a file's size.
type checkpointFile struct {
	State
	Metrics          map[string]nullFloat `json:"metrics,omitempty"`
	OptimizerScalars map[string]nullFloat `json:"optimizer_scalars,omitempty"`
	Files            map[string]fileRef   `json:"files"`
}

type fileRef struct {
	Name   string `json:"name"`
	CRC32C uint32 `json:"crc32c"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Checkpointer saves checkpoints into Dir as
//
//	checkpoint-epochNNN.safetensors        weights, PyTorch layout (see SaveWeights)
//	checkpoint-epochNNN.optim.safetensors  optimizer tensors
//	checkpoint-epochNNN.json               State, file names and checksums
//	best.safetensors, best.json            the best epoch so far (no optimizer)
//	latest                                 name of the newest complete .json
//
// Every file is written atomically and latest is written last, so a crash
// or full disk at any point leaves the previous checkpoint complete and
// pointed to.
type Checkpointer struct {
	Dir string
	// Keep is how many epoch checkpoints to keep; below 1 keeps all.
	Keep int
	// BestMetric names the entry of State.Metrics that decides the best
	// checkpoint ("" for none); LowerIsBetter for losses.
	BestMetric    string
	LowerIsBetter bool
	best          float64 // NaN until a checkpoint has a finite BestMetric
}

// NewCheckpointer creates dir if needed and reads the best metric so far
// from an existing best.json, so that a resumed run keeps tracking it.
func NewCheckpointer(dir string, keep int, bestMetric string, lowerIsBetter bool) (*Checkpointer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	c := &Checkpointer{Dir: dir, Keep: keep, BestMetric: bestMetric, LowerIsBetter: lowerIsBetter, best: math.NaN()}
	path := filepath.Join(dir, "best.json")
	if _, err := os.Stat(path); err == nil && bestMetric != "" {
		f, err := readCheckpointJSON(path)
		if err != nil {
			return nil, err
		}
		if v, ok := f.Metrics[bestMetric]; ok {
			c.best = float64(v)
		}
	}
	return c, nil
}

// Best returns the best value of BestMetric saved so far, NaN when none.
func (c *Checkpointer) Best() float64 { return c.best }

// Save writes ck as the checkpoint of ck.Epoch, updates the best copy when
// ck's BestMetric improves on it, points latest at it, and prunes older
// epoch checkpoints beyond Keep. It returns the path of the .json file.
// Errors name the file that failed; what was saved before stays valid.
func (c *Checkpointer) Save(ck *Checkpoint) (string, error) {
	base := fmt.Sprintf("checkpoint-epoch%03d", ck.Epoch)
	jsonPath, err := c.write(base, ck, true)
	if err != nil {
		return "", err
	}
	if v, ok := ck.Metrics[c.BestMetric]; ok && c.improves(v) {
		if _, err := c.write("best", ck, false); err != nil {
			return "", err
		}
		c.best = v
	}
	latest := filepath.Join(c.Dir, "latest")
	err = WriteFileAtomic(latest, func(w io.Writer) error {
		_, err := io.WriteString(w, filepath.Base(jsonPath)+"\n")
		return err
	})
	if err != nil {
		return "", err
	}
	return jsonPath, c.prune(ck.Epoch)
}

func (c *Checkpointer) improves(v float64) bool {
	switch {
	case c.BestMetric == "" || math.IsNaN(v) || math.IsInf(v, 0):
		return false
	case math.IsNaN(c.best):
		return true
	case c.LowerIsBetter:
		return v < c.best
	}
	return v > c.best
}

// write saves base.safetensors, base.optim.safetensors (when withOptim)
// and then base.json, which records the others' checksums.
func (c *Checkpointer) write(base string, ck *Checkpoint, withOptim bool) (string, error) {
	files := map[string]fileRef{}
	weights := base + ".safetensors"
	sum, err := saveSummed(filepath.Join(c.Dir, weights), func(w io.Writer) error {
		return WriteWeights(w, ck.Weights, map[string]string{"epoch": strconv.Itoa(ck.Epoch)})
	})
	if err != nil {
		return "", err
	}
	files["weights"] = fileRef{weights, sum}
	if withOptim {
		optim := base + ".optim.safetensors"
		sum, err := saveSummed(filepath.Join(c.Dir, optim), func(w io.Writer) error {
			return WriteSafetensors(w, ck.Optimizer, nil)
		})
		if err != nil {
			return "", err
		}
		files["optimizer"] = fileRef{optim, sum}
	}
	jsonPath := filepath.Join(c.Dir, base+".json")
	err = WriteFileAtomic(jsonPath, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(checkpointFile{
			State:            ck.State,
			Metrics:          toNullFloats(ck.Metrics),
			OptimizerScalars: toNullFloats(ck.OptimizerScalars),
			Files:            files,
		})
	})
	return jsonPath, err
}

// saveSummed writes path atomically and returns the CRC-32C of its bytes.
func saveSummed(path string, write func(io.Writer) error) (uint32, error) {
	h := crc32.New(castagnoli)
	err := WriteFileAtomic(path, func(w io.Writer) error { return write(io.MultiWriter(w, h)) })
	return h.Sum32(), err
}

var checkpointName = regexp.MustCompile(`^checkpoint-epoch(\d+)\.json$`)

// prune deletes the files of epoch checkpoints older than the Keep newest
// complete ones up to epoch saved. Later epochs, left by an abandoned run
// this one resumed before, are left for the coming saves to overwrite.
func (c *Checkpointer) prune(saved int) error {
	if c.Keep < 1 {
		return nil
	}
	entries, err := os.ReadDir(c.Dir)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	var epochs []int
	for _, e := range entries {
		if m := checkpointName.FindStringSubmatch(e.Name()); m != nil {
			if n, err := strconv.Atoi(m[1]); err == nil && n <= saved {
				epochs = append(epochs, n)
			}
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(epochs)))
	if len(epochs) <= c.Keep {
		return nil
	}
	oldest := epochs[c.Keep-1]
	for _, e := range entries {
		name := e.Name()
		rest, ok := strings.CutPrefix(name, "checkpoint-epoch")
		if !ok {
			continue
		}
		digits, _, _ := strings.Cut(rest, ".")
		// Orphans of a save that crashed before its .json go too.
		if n, err := strconv.Atoi(digits); err == nil && n < oldest {
			if err := os.Remove(filepath.Join(c.Dir, name)); err != nil {
				return fmt.Errorf("train: pruning: %w", err)
			}
		}
	}
	return nil
}

// ErrNoCheckpoint is returned (wrapped) by LoadLatest when dir holds no
// checkpoint yet.
var ErrNoCheckpoint = errors.New("no checkpoint")

// LoadLatest loads the checkpoint that dir/latest points to. When there is
// none the error wraps ErrNoCheckpoint.
func LoadLatest(dir string) (*Checkpoint, error) {
	path := filepath.Join(dir, "latest")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("train: %s: %w", dir, ErrNoCheckpoint)
	}
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	name := strings.TrimSpace(string(b))
	if name == "" || name != filepath.Base(name) {
		return nil, fmt.Errorf("train: %s: %q is not a checkpoint file name", path, name)
	}
	return LoadCheckpoint(filepath.Join(dir, name))
}

// LoadCheckpoint loads the checkpoint whose .json file is at path, checking
// every file it lists against its checksum. A missing, truncated or
// corrupt file gives an error naming it.
func LoadCheckpoint(path string) (*Checkpoint, error) {
	f, err := readCheckpointJSON(path)
	if err != nil {
		return nil, err
	}
	ck := &Checkpoint{State: f.State}
	ck.Metrics = fromNullFloats(f.Metrics)
	ck.OptimizerScalars = fromNullFloats(f.OptimizerScalars)
	for role, ref := range f.Files {
		if ref.Name != filepath.Base(ref.Name) || ref.Name == "" {
			return nil, fmt.Errorf("train: %s: %s file %q is not a plain file name", path, role, ref.Name)
		}
		p := filepath.Join(filepath.Dir(path), ref.Name)
		if err := checkCRC(p, ref.CRC32C); err != nil {
			return nil, err
		}
		switch role {
		case "weights":
			ck.Weights, _, err = LoadWeights(p)
		case "optimizer":
			ck.Optimizer, _, err = LoadSafetensors(p)
		default:
			err = fmt.Errorf("train: %s: unknown file role %q", path, role)
		}
		if err != nil {
			return nil, err
		}
	}
	if _, ok := f.Files["weights"]; !ok {
		return nil, fmt.Errorf("train: %s: no weights file listed", path)
	}
	return ck, nil
}

func readCheckpointJSON(path string) (*checkpointFile, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("train: %w", err)
	}
	var f checkpointFile
	if err := json.Unmarshal(b, &f); err != nil {
		return nil, fmt.Errorf("train: %s: corrupt checkpoint state: %w", path, err)
	}
	return &f, nil
}

func checkCRC(path string, want uint32) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("train: %w", err)
	}
	defer f.Close()
	h := crc32.New(castagnoli)
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("train: %s: %w", path, err)
	}
	if got := h.Sum32(); got != want {
		return fmt.Errorf("train: %s: checksum %08x, want %08x: the file is corrupt or truncated", path, got, want)
	}
	return nil
}
