package gocnn_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"os"

	"gorgonia.org/tensor"

	"github.com/gocnn/gocnn"
	"github.com/gocnn/gocnn/data/embedded"
	"github.com/gocnn/gocnn/train"
)

// Example trains a ResNet-20 briefly on a few Fashion-MNIST images (as
// `train -epochs 1 -limit 64 -output DIR` would), loads the checkpoint and
// classifies four images.
func Example() {
	dir, err := os.MkdirTemp("", "gocnn-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	cfg := train.DefaultConfig()
	cfg.Epochs, cfg.Limit, cfg.Batch, cfg.Output = 1, 64, 16, dir
	if err := train.Run(context.Background(), cfg, io.Discard); err != nil {
		log.Fatal(err)
	}

	model, err := gocnn.Load(dir)
	if err != nil {
		log.Fatal(err)
	}
	val, err := embedded.FashionMNIST("val")
	if err != nil {
		log.Fatal(err)
	}
	px := make([]float32, 4*28*28)
	for i := range px {
		px[i] = float32(val.Pix[i]) / 255
	}
	probs, err := model.Predict(tensor.New(tensor.WithShape(4, 28, 28, 1), tensor.WithBacking(px)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("probabilities:", probs.Shape())
	p := probs.Data().([]float32)
	sum := float32(0)
	for _, v := range p[:10] {
		sum += v
	}
	fmt.Printf("first image: %.2f in total over %d classes\n", sum, len(model.Info().ClassNames))
	// Output:
	// probabilities: (4, 10)
	// first image: 1.00 in total over 10 classes
}
