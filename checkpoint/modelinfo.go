package checkpoint

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

// ModelInfo describes a trained model as its checkpoint records it, in
// State.Flags.
type ModelInfo struct {
	Model      string // registered name, see models.All
	Classes    int
	ClassNames []string
	InChannels int
	// AuxLogits says the model was built with its auxiliary classifiers
	// (models.Options.AuxLogits), whose weights the checkpoint holds.
	AuxLogits    bool
	Segmentation bool
	// Mean and Std normalise each input channel, as in training:
	// (v - Mean[c]) / Std[c] for pixel values v in [0, 1].
	Mean, Std []float32
}

// Flags returns info as the State.Flags entries LoadModel reads back.
func (info ModelInfo) Flags() map[string]string {
	return map[string]string{
		"model":        info.Model,
		"classes":      strconv.Itoa(info.Classes),
		"class_names":  strings.Join(info.ClassNames, "\n"),
		"in_channels":  strconv.Itoa(info.InChannels),
		"aux_logits":   strconv.FormatBool(info.AuxLogits),
		"segmentation": strconv.FormatBool(info.Segmentation),
		"mean":         formatFloats(info.Mean),
		"std":          formatFloats(info.Std),
	}
}

// LoadModel rebuilds the model of a checkpoint on dev, in evaluation mode.
// path is a checkpoint .json (best.json for the best epoch) or an output
// folder, whose latest checkpoint is taken.
func LoadModel(path string, dev *autograd.Device) (nn.Module, ModelInfo, error) {
	ck, err := Load(path)
	if err != nil {
		return nil, ModelInfo{}, err
	}
	info, err := parseModelInfo(ck.Flags)
	if err != nil {
		return nil, ModelInfo{}, fmt.Errorf("checkpoint: %s: %w", path, err)
	}
	m, err := models.New(info.Model, nn.NewShapeBuilder(dev), models.Options{Classes: info.Classes, InChannels: info.InChannels, AuxLogits: info.AuxLogits})
	if err != nil {
		return nil, ModelInfo{}, err
	}
	if err := SetWeights(m, path, ck.Weights); err != nil {
		return nil, ModelInfo{}, err
	}
	nn.SetTraining(m, false)
	return m, info, nil
}

// parseModelInfo reads what ModelInfo.Flags wrote.
func parseModelInfo(flags map[string]string) (ModelInfo, error) {
	// Checkpoints written before aux_logits existed have none: false.
	info := ModelInfo{Model: flags["model"], AuxLogits: flags["aux_logits"] == "true", Segmentation: flags["segmentation"] == "true"}
	var err error
	if info.Classes, err = strconv.Atoi(flags["classes"]); err != nil {
		return info, fmt.Errorf("flags: classes: %w", err)
	}
	if info.InChannels, err = strconv.Atoi(flags["in_channels"]); err != nil {
		return info, fmt.Errorf("flags: in_channels: %w", err)
	}
	if names := flags["class_names"]; names != "" {
		info.ClassNames = strings.Split(names, "\n")
	}
	if info.Mean, err = parseFloats(flags["mean"]); err != nil {
		return info, fmt.Errorf("flags: mean: %w", err)
	}
	if info.Std, err = parseFloats(flags["std"]); err != nil {
		return info, fmt.Errorf("flags: std: %w", err)
	}
	if len(info.Mean) != info.InChannels || len(info.Std) != info.InChannels {
		return info, fmt.Errorf("flags: %d means and %d stds for %d channels", len(info.Mean), len(info.Std), info.InChannels)
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
