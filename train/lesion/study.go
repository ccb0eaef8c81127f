package lesion

import (
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn/models"
)

// Config sizes a study.
type Config struct {
	// MaxDelete is the largest number of blocks Random deletes at once;
	// 0 means half of them.
	MaxDelete int
	// MaxSwaps is the largest number of swaps of Reorder; 0 means half the
	// number of blocks.
	MaxSwaps int
	// Draws is the number of random draws for each k of Random and
	// Reorder.
	Draws int
	// PathSamples is the number of sampled paths (each on one training
	// batch) for each path length of PathGradients; 0 skips it.
	PathSamples int
	Seed        uint64
}

// Inputs are what a study runs on.
type Inputs struct {
	ResNet     models.Lesionable
	ResNetName string // for the report, e.g. "preresnet20"
	// Plain is the plain network of the contrast; nil leaves it out.
	Plain     models.Lesionable
	PlainName string
	Dev       *autograd.Device // the device both models are on
	Test      *Set             // evaluated by the deletion experiments
	Train     *Set             // batches for PathGradients
	// BN holds the training images on which Single and Random re-estimate
	// the batch-norm statistics after each deletion; nil skips it.
	BN *Set
}

// Results are a study's measurements.
type Results struct {
	Config
	ResNetName, PlainName string
	Blocks                int
	TestImages            int
	// BNImages is the number of training images the batch-norm statistics
	// were re-estimated on; 0 when they were not.
	BNImages            int
	Base, PlainBase     Errors
	Single, PlainSingle []SingleRow
	Random              []RandomRow
	Reorder             []ReorderRow
	Counts              []*big.Int
	Paths               []PathRow
}

// Run runs every experiment of the study on in, logging progress to log,
// and writes its CSV files, report.md and PNG plots into dir, which it
// creates.
func Run(dir string, in Inputs, cfg Config, log io.Writer) (*Results, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("lesion: %w", err)
	}
	n := len(in.ResNet.Blocks())
	cfg.MaxDelete = clampOr(cfg.MaxDelete, n)
	cfg.MaxSwaps = clampOr(cfg.MaxSwaps, n)
	cfg.Draws = max(cfg.Draws, 1)
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	r := &Results{Config: cfg, ResNetName: in.ResNetName, PlainName: in.PlainName, Blocks: n, TestImages: in.Test.Len()}
	if in.BN != nil {
		r.BNImages = in.BN.Len()
	}
	step := func(name string, f func()) {
		start := time.Now()
		f()
		fmt.Fprintf(log, "lesion: %s done in %s\n", name, time.Since(start).Round(time.Millisecond))
	}
	step("single deletion", func() { r.Base, r.Single = Single(in.ResNet, in.Dev, in.Test, in.BN) })
	if in.Plain != nil {
		step("single deletion, plain network", func() { r.PlainBase, r.PlainSingle = Single(in.Plain, in.Dev, in.Test, in.BN) })
	}
	step("random deletion", func() { r.Random = Random(in.ResNet, in.Dev, in.Test, in.BN, cfg.MaxDelete, cfg.Draws, rng) })
	step("reordering", func() { r.Reorder = Reorder(in.ResNet, in.Dev, in.Test, cfg.MaxSwaps, cfg.Draws, rng) })
	r.Counts = PathCounts(n)
	if cfg.PathSamples > 0 {
		lengths := make([]int, n+1)
		for i := range lengths {
			lengths[i] = i
		}
		step("path gradients", func() { r.Paths = PathGradients(in.ResNet, in.Dev, in.Train, lengths, cfg.PathSamples, rng) })
	}
	if err := r.Write(dir); err != nil {
		return nil, err
	}
	return r, nil
}

// clampOr returns v limited to n, or half of n when v is 0.
func clampOr(v, n int) int {
	if v <= 0 {
		return max(n/2, 1)
	}
	return min(v, n)
}

// Write saves r's CSV files, study.json, report.md and plots into dir;
// Read loads them back.
func (r *Results) Write(dir string) error {
	if err := r.writeInfo(dir); err != nil {
		return err
	}
	for name, write := range map[string]func(io.Writer) error{
		"single.csv":  func(w io.Writer) error { return r.writeSingle(w, r.Base, r.Single) },
		"random.csv":  r.writeRandom,
		"reorder.csv": r.writeReorder,
		"paths.csv":   r.writePaths,
		"report.md":   r.writeReport,
	} {
		if err := writeFile(filepath.Join(dir, name), write); err != nil {
			return err
		}
	}
	if r.PlainSingle != nil {
		if err := writeFile(filepath.Join(dir, "single_plain.csv"), func(w io.Writer) error {
			return r.writeSingle(w, r.PlainBase, r.PlainSingle)
		}); err != nil {
			return err
		}
	}
	return r.plot(dir)
}
