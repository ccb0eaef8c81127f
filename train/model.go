package train

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

// ModelInfo describes a trained model as its checkpoint records it.
type ModelInfo struct {
	Model        string
	Classes      int
	ClassNames   []string
	InChannels   int
	Segmentation bool
	// Mean and Std normalise each input channel, as in training:
	// (v - Mean[c]) / Std[c] for pixel values v in [0, 1].
	Mean, Std []float32
}

// LoadModel rebuilds the model of a checkpoint written by Run on dev, in
// evaluation mode. path is a checkpoint .json (best.json for the best
// epoch) or an output folder, whose latest checkpoint is taken.
func LoadModel(path string, dev *autograd.Device) (nn.Module, ModelInfo, error) {
	ck, _, err := loadCheckpointPath(path)
	if err != nil {
		return nil, ModelInfo{}, err
	}
	info, err := modelInfo(ck.Flags)
	if err != nil {
		return nil, ModelInfo{}, fmt.Errorf("train: %s: %w", path, err)
	}
	m, err := models.New(info.Model, nn.NewShapeBuilder(dev), models.Options{Classes: info.Classes, InChannels: info.InChannels})
	if err != nil {
		return nil, ModelInfo{}, err
	}
	r := &replica{dev: dev, model: m}
	if err := loadState([]*replica{r}, path, ck.Weights); err != nil {
		return nil, ModelInfo{}, err
	}
	nn.SetTraining(m, false)
	return m, info, nil
}

// loadCheckpointPath loads a checkpoint .json, or the latest one of a
// folder, and returns it with the path of its .json.
func loadCheckpointPath(path string) (*Checkpoint, string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, "", fmt.Errorf("train: %w", err)
	}
	if fi.IsDir() {
		ck, err := LoadLatest(path)
		if err != nil {
			return nil, "", err
		}
		// LoadLatest has just read and checked it.
		b, _ := os.ReadFile(filepath.Join(path, "latest"))
		return ck, filepath.Join(path, strings.TrimSpace(string(b))), nil
	}
	ck, err := LoadCheckpoint(path)
	return ck, path, err
}

// modelInfo parses what Config.flags wrote.
func modelInfo(flags map[string]string) (ModelInfo, error) {
	info := ModelInfo{Model: flags["model"], Segmentation: flags["segmentation"] == "true"}
	var err error
	if info.Classes, err = strconv.Atoi(flags["classes"]); err != nil {
		return info, fmt.Errorf("checkpoint flags: classes: %w", err)
	}
	if info.InChannels, err = strconv.Atoi(flags["in_channels"]); err != nil {
		return info, fmt.Errorf("checkpoint flags: in_channels: %w", err)
	}
	if names := flags["class_names"]; names != "" {
		info.ClassNames = strings.Split(names, "\n")
	}
	if info.Mean, err = parseFloats(flags["mean"]); err != nil {
		return info, fmt.Errorf("checkpoint flags: mean: %w", err)
	}
	if info.Std, err = parseFloats(flags["std"]); err != nil {
		return info, fmt.Errorf("checkpoint flags: std: %w", err)
	}
	if len(info.Mean) != info.InChannels || len(info.Std) != info.InChannels {
		return info, fmt.Errorf("checkpoint flags: %d means and %d stds for %d channels", len(info.Mean), len(info.Std), info.InChannels)
	}
	return info, nil
}

func formatFloats(xs []float32) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = strconv.FormatFloat(float64(x), 'g', -1, 32)
	}
	return strings.Join(s, ",")
}

func parseFloats(s string) ([]float32, error) {
	var out []float32
	for _, f := range strings.Split(s, ",") {
		v, err := strconv.ParseFloat(f, 32)
		if err != nil {
			return nil, err
		}
		out = append(out, float32(v))
	}
	return out, nil
}
