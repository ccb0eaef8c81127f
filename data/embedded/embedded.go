// Package embedded holds a real-data sample small enough to ship inside
// the binary: 5,000 training and 1,000 validation images of
// Fashion-MNIST (28x28 grayscale, balanced over the ten classes, the first
// of each class in the published files), 2.6 MB of gzipped idx files.
// gen/ remakes them from the full dataset.
package embedded

import (
	"embed"
	"fmt"

	"github.com/gocnn/gocnn/data"
)

//go:generate go run ./gen -out fashion

//go:embed fashion/*.gz
var files embed.FS

// FashionMNIST returns the embedded sample's split, "train" or "val", as a
// classification dataset with data.FashionMNISTClasses.
func FashionMNIST(split string) (*data.Memory, error) {
	prefix, ok := map[string]string{"train": "train", "val": "t10k"}[split]
	if !ok {
		return nil, fmt.Errorf("embedded: split %q is not train or val", split)
	}
	im, err := files.Open("fashion/" + prefix + "-images-idx3-ubyte.gz")
	if err != nil {
		return nil, err
	}
	defer im.Close()
	lb, err := files.Open("fashion/" + prefix + "-labels-idx1-ubyte.gz")
	if err != nil {
		return nil, err
	}
	defer lb.Close()
	m, err := data.IDX(im, lb, data.FashionMNISTClasses)
	if err != nil {
		return nil, fmt.Errorf("embedded: %s: %w", prefix, err)
	}
	return m, nil
}

// SegThreshold is the gray level from which a pixel of a Fashion-MNIST
// image counts as garment rather than background in FashionMNISTSeg.
const SegThreshold = 16

// SegClasses names FashionMNISTSeg's mask values: background, then the
// garments in Fashion-MNIST's label order.
var SegClasses = append([]string{"background"}, data.FashionMNISTClasses...)

// FashionMNISTSeg returns the embedded sample's split as a segmentation
// dataset: the same images, each pixel at or above SegThreshold labelled
// with its image's garment class plus one, the rest background (0).
func FashionMNISTSeg(split string) (*data.Memory, error) {
	m, err := FashionMNIST(split)
	if err != nil {
		return nil, err
	}
	sz := m.H * m.W
	m.Masks = make([]uint8, len(m.Pix))
	for i, l := range m.Labels {
		for j, v := range m.Pix[i*sz : (i+1)*sz] {
			if v >= SegThreshold {
				m.Masks[i*sz+j] = uint8(l) + 1
			}
		}
		m.Labels[i] = -1
	}
	m.ClassNames = SegClasses
	return m, nil
}
