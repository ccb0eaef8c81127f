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
	// InEpoch is set in a checkpoint taken during an epoch (a run that
	// was stopped, or saved every N steps): how far epoch Epoch+1 had got.
	InEpoch *EpochProgress `json:"in_epoch,omitempty"`
}

// EpochProgress is how far a checkpoint taken during an epoch had got into
// it, and the epoch's training metrics so far, so that a resumed run
// finishes the epoch as the uninterrupted one would have.
type EpochProgress struct {
	Steps   int     `json:"steps"`    // optimizer steps of the epoch taken
	Images  int     `json:"images"`   // training images those steps took
	LossSum float64 `json:"loss_sum"` // sum over those images of their batch's mean loss
	Seconds float64 `json:"seconds"`  // time spent training in the epoch
	// TopKCorrect and TopKTotal are the epoch's training top-k counts so
	// far, merged over devices; empty for segmentation.
	TopKCorrect []int64 `json:"topk_correct,omitempty"`
	TopKTotal   int64   `json:"topk_total,omitempty"`
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
	// Resumable is set by Load when the checkpoint has an optimizer file,
	// which a resumed run needs (a weights-only one can start a new run).
	Resumable bool
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
//	checkpoint-epochNNN-stepMMMMMM.*       the same, taken MMMMMM steps into epoch NNN
//	best.*                                 the same, of the best epoch so far
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
	bestEpoch     int
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
			s.best, s.bestEpoch = float64(v), f.Epoch
		}
	}
	return s, nil
}

// Best returns the best value of BestMetric saved so far, NaN when none,
// and the epoch it was reached at.
func (s *Saver) Best() (value float64, epoch int) { return s.best, s.bestEpoch }

// Save writes ck as the checkpoint of ck.Epoch (or, with ck.InEpoch, of
// that point in the next epoch), updates the best copy when ck's
// BestMetric improves on it, points latest at it, and prunes older
// checkpoints: epoch checkpoints beyond Keep, and every mid-epoch one. It
// returns the path of the .json file. Errors name the file that failed;
// what was saved before stays valid.
func (s *Saver) Save(ck *Checkpoint) (string, error) {
	at := position{ck.Epoch, 0}
	if ck.InEpoch != nil {
		at = position{ck.Epoch, ck.InEpoch.Steps}
	}
	jsonPath, err := s.write(at.name(), ck, true)
	if err != nil {
		return "", err
	}
	if v, ok := ck.Metrics[s.BestMetric]; ok && ck.InEpoch == nil && s.improves(v) {
		if _, err := s.write("best", ck, true); err != nil {
			return "", err
		}
		s.best, s.bestEpoch = v, ck.Epoch
	}
	err = writeFile(filepath.Join(s.Dir, "latest"), func(w io.Writer) error {
		_, err := io.WriteString(w, filepath.Base(jsonPath)+"\n")
		return err
	})
	if err != nil {
		return "", err
	}
	return jsonPath, s.prune(at)
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

// position is where a checkpoint stands in its run: epochs completed, and
// steps taken into the next.
type position struct{ epochs, steps int }

// name is the base name of the checkpoint files at p.
func (p position) name() string {
	if p.steps == 0 {
		return fmt.Sprintf("checkpoint-epoch%03d", p.epochs)
	}
	return fmt.Sprintf("checkpoint-epoch%03d-step%06d", p.epochs+1, p.steps)
}

func (p position) before(q position) bool {
	return p.epochs < q.epochs || p.epochs == q.epochs && p.steps < q.steps
}

var checkpointName = regexp.MustCompile(`^checkpoint-epoch(\d+)(?:-step(\d+))?\.`)

// positionOf returns the position of the checkpoint a file named name
// belongs to (any of its files); ok is false for other names.
func positionOf(name string) (p position, ok bool) {
	m := checkpointName.FindStringSubmatch(name)
	if m == nil {
		return p, false
	}
	epoch, err := strconv.Atoi(m[1])
	if err != nil {
		return p, false
	}
	if m[2] == "" {
		return position{epoch, 0}, true
	}
	steps, err := strconv.Atoi(m[2])
	if err != nil || epoch < 1 || steps < 1 {
		return p, false
	}
	return position{epoch - 1, steps}, true
}

// SaverWrites reports whether name is one a Saver writes into its folder:
// a run's checkpoint files, best.* or latest.
func SaverWrites(name string) bool {
	if _, ok := positionOf(name); ok {
		return true
	}
	switch name {
	case "latest", "best.json", "best.safetensors", "best.optim.safetensors":
		return true
	}
	return false
}

// prune deletes the files of checkpoints before saved that are not kept:
// every mid-epoch one, and epoch checkpoints older than the Keep newest
// complete ones (Keep < 1 keeps them all). Checkpoints after saved, left
// by an abandoned run this one resumed before, are left for the coming
// saves to overwrite or prune.
func (s *Saver) prune(saved position) error {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	var epochs []int
	for _, e := range entries {
		if p, ok := positionOf(e.Name()); ok && p.steps == 0 && strings.HasSuffix(e.Name(), ".json") && !saved.before(p) {
			epochs = append(epochs, p.epochs)
		}
	}
	sort.Sort(sort.Reverse(sort.IntSlice(epochs)))
	oldest := -1 // the oldest epoch checkpoint kept
	if s.Keep >= 1 && len(epochs) > s.Keep {
		oldest = epochs[s.Keep-1]
	}
	for _, e := range entries {
		p, ok := positionOf(e.Name())
		// Orphans of a save that crashed before its .json go too.
		if !ok || !p.before(saved) || p.steps == 0 && p.epochs >= oldest {
			continue
		}
		if err := os.Remove(filepath.Join(s.Dir, e.Name())); err != nil {
			return fmt.Errorf("checkpoint: pruning: %w", err)
		}
	}
	return nil
}
