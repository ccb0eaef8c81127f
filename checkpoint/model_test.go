package checkpoint

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cpu"
	"github.com/gocnn/gocnn/nn"
	"github.com/gocnn/gocnn/nn/models"
)

// TestLoadModel saves one ResNet-20's weights with its ModelInfo and
// checks that LoadModel rebuilds a model with the same weights, and that
// SetWeights refuses mismatched tensors without changing the model.
func TestLoadModel(t *testing.T) {
	dev := autograd.NewDevice(cpu.New(1))
	info := ModelInfo{Model: "resnet20", Classes: 10, ClassNames: []string{"a", "b"}, InChannels: 1,
		Mean: []float32{0.286}, Std: []float32{0.353}}
	m, err := models.New(info.Model, nn.NewBuilder(dev, 1), models.Options{Classes: info.Classes, InChannels: info.InChannels})
	if err != nil {
		t.Fatal(err)
	}
	want := Weights(m)
	s, err := NewSaver(t.TempDir(), 1, "", false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Save(&Checkpoint{State: State{Epoch: 1, Flags: info.Flags()}, Weights: want}); err != nil {
		t.Fatal(err)
	}
	got, gotInfo, err := LoadModel(s.Dir, dev)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(gotInfo, info) {
		t.Errorf("info %+v, want %+v", gotInfo, info)
	}
	for i, w := range Weights(got) {
		if w.Name != want[i].Name || !slices.Equal(w.Data, want[i].Data) {
			t.Fatalf("tensor %s does not come back", w.Name)
		}
	}

	bad := slices.Clone(want)
	bad[0] = Tensor{Name: bad[0].Name, Shape: []int{1}, Data: []float32{7}}
	bad[1].Data = make([]float32, len(bad[1].Data))
	if err := SetWeights(got, "bad.safetensors", bad); err == nil || !strings.Contains(err.Error(), "1 mis-shaped: "+bad[0].Name) {
		t.Errorf("mismatched tensors: error %v", err)
	}
	if !slices.Equal(Weights(got)[1].Data, want[1].Data) {
		t.Error("a refused load changed the model")
	}
}
