package checkpoint

import (
	"encoding/json"
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

	"github.com/gocnn/gocnn/internal/jsonfloat"
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
	// Flags describe the run; the model's entries are ModelInfo.Flags.
	Flags map[string]string `json:"flags,omitempty"`
	// Metrics of the epoch (NaN: not measured), e.g. "val_top1".
	Metrics map[string]float64 `json:"metrics,omitempty"`
}

// Checkpoint is a resumable snapshot of a run.
type Checkpoint struct {
	State
	// Weights are the model's parameters and buffers with torchvision
	// names, in gocnn layout (4-D filters KRSC); see Weights.
	Weights []Tensor
	// Optimizer holds per-parameter optimizer tensors (momentum buffers,
	// ...), named by the optimizer, stored in gocnn layout as given.
	Optimizer []Tensor
}

// stateFile is the JSON written next to the tensor files. The CRC-32C
// sums catch corruption that keeps a file's size.
type stateFile struct {
	State
	Metrics          map[string]jsonfloat.Float `json:"metrics,omitempty"`
	OptimizerScalars map[string]jsonfloat.Float `json:"optimizer_scalars,omitempty"`
	Files            map[string]fileRef         `json:"files"`
}

type fileRef struct {
	Name   string `json:"name"`
	CRC32C uint32 `json:"crc32c"`
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Saver saves checkpoints into Dir as
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
type Saver struct {
	Dir string
	// Keep is how many epoch checkpoints to keep; below 1 keeps all.
	Keep int
	// BestMetric names the entry of State.Metrics that decides the best
	// checkpoint ("" for none); LowerIsBetter for losses.
	BestMetric    string
	LowerIsBetter bool
	best          float64 // NaN until a checkpoint has a finite BestMetric
}

// NewSaver creates dir if needed and reads the best metric so far from an
// existing best.json, so that a resumed run keeps tracking it.
func NewSaver(dir string, keep int, bestMetric string, lowerIsBetter bool) (*Saver, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	s := &Saver{Dir: dir, Keep: keep, BestMetric: bestMetric, LowerIsBetter: lowerIsBetter, best: math.NaN()}
	path := filepath.Join(dir, "best.json")
	if _, err := os.Stat(path); err == nil && bestMetric != "" {
		f, err := readStateFile(path)
		if err != nil {
			return nil, err
		}
		if v, ok := f.Metrics[bestMetric]; ok {
			s.best = float64(v)
		}
	}
	return s, nil
}

// Best returns the best value of BestMetric saved so far, NaN when none.
func (s *Saver) Best() float64 { return s.best }

// Save writes ck as the checkpoint of ck.Epoch, updates the best copy when
// ck's BestMetric improves on it, points latest at it, and prunes older
// epoch checkpoints beyond Keep. It returns the path of the .json file.
// Errors name the file that failed; what was saved before stays valid.
func (s *Saver) Save(ck *Checkpoint) (string, error) {
	base := fmt.Sprintf("checkpoint-epoch%03d", ck.Epoch)
	jsonPath, err := s.write(base, ck, true)
	if err != nil {
		return "", err
	}
	if v, ok := ck.Metrics[s.BestMetric]; ok && s.improves(v) {
		if _, err := s.write("best", ck, false); err != nil {
			return "", err
		}
		s.best = v
	}
	err = writeFile(filepath.Join(s.Dir, "latest"), func(w io.Writer) error {
		_, err := io.WriteString(w, filepath.Base(jsonPath)+"\n")
		return err
	})
	if err != nil {
		return "", err
	}
	return jsonPath, s.prune(ck.Epoch)
}

func (s *Saver) improves(v float64) bool {
	switch {
	case s.BestMetric == "" || math.IsNaN(v) || math.IsInf(v, 0):
		return false
	case math.IsNaN(s.best):
		return true
	case s.LowerIsBetter:
		return v < s.best
	}
	return v > s.best
}

// write saves base.safetensors, base.optim.safetensors (when withOptim)
// and then base.json, which records the others' checksums.
func (s *Saver) write(base string, ck *Checkpoint, withOptim bool) (string, error) {
	files := map[string]fileRef{}
	weights := base + ".safetensors"
	sum, err := saveSummed(filepath.Join(s.Dir, weights), func(w io.Writer) error {
		return WriteWeights(w, ck.Weights, map[string]string{"epoch": strconv.Itoa(ck.Epoch)})
	})
	if err != nil {
		return "", err
	}
	files["weights"] = fileRef{weights, sum}
	if withOptim {
		optim := base + ".optim.safetensors"
		sum, err := saveSummed(filepath.Join(s.Dir, optim), func(w io.Writer) error {
			return WriteSafetensors(w, ck.Optimizer, nil)
		})
		if err != nil {
			return "", err
		}
		files["optimizer"] = fileRef{optim, sum}
	}
	jsonPath := filepath.Join(s.Dir, base+".json")
	err = writeFile(jsonPath, func(w io.Writer) error {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(stateFile{
			State:            ck.State,
			Metrics:          jsonfloat.Map[jsonfloat.Float](ck.Metrics),
			OptimizerScalars: jsonfloat.Map[jsonfloat.Float](ck.OptimizerScalars),
			Files:            files,
		})
	})
	return jsonPath, err
}

// saveSummed writes path atomically and returns the CRC-32C of its bytes.
func saveSummed(path string, write func(io.Writer) error) (uint32, error) {
	h := crc32.New(castagnoli)
	err := writeFile(path, func(w io.Writer) error { return write(io.MultiWriter(w, h)) })
	return h.Sum32(), err
}

var checkpointName = regexp.MustCompile(`^checkpoint-epoch(\d+)\.json$`)

// prune deletes the files of epoch checkpoints older than the Keep newest
// complete ones up to epoch saved. Later epochs, left by an abandoned run
// this one resumed before, are left for the coming saves to overwrite.
func (s *Saver) prune(saved int) error {
	if s.Keep < 1 {
		return nil
	}
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
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
	if len(epochs) <= s.Keep {
		return nil
	}
	oldest := epochs[s.Keep-1]
	for _, e := range entries {
		name := e.Name()
		rest, ok := strings.CutPrefix(name, "checkpoint-epoch")
		if !ok {
			continue
		}
		digits, _, _ := strings.Cut(rest, ".")
		// Orphans of a save that crashed before its .json go too.
		if n, err := strconv.Atoi(digits); err == nil && n < oldest {
			if err := os.Remove(filepath.Join(s.Dir, name)); err != nil {
				return fmt.Errorf("checkpoint: pruning: %w", err)
			}
		}
	}
	return nil
}
