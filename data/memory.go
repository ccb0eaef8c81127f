package data

import "fmt"

// Memory is an in-memory dataset of equally sized 8-bit images (CIFAR,
// MNIST), with per-pixel masks for segmentation variants.
type Memory struct {
	H, W, C int
	// Pix holds the images back to back, (N, H, W, C).
	Pix []uint8
	// Labels holds one class per image, (N); -1 for segmentation.
	Labels []int32
	// Masks holds one class per pixel, (N, H, W); nil for classification.
	Masks []uint8
	// ClassNames names the values of Labels or Masks.
	ClassNames []string
}

// Len returns the number of images.
func (m *Memory) Len() int { return len(m.Labels) }

// Classes returns the class names.
func (m *Memory) Classes() []string { return m.ClassNames }

// Load copies example i into ex. It panics when i is out of range.
func (m *Memory) Load(i int, ex *Example) error {
	if i < 0 || i >= m.Len() {
		panic(fmt.Sprintf("data: Memory.Load: index %d out of range [0, %d)", i, m.Len()))
	}
	n := m.H * m.W * m.C
	ex.Image.reshape(m.H, m.W, m.C)
	copy(ex.Image.Pix, m.Pix[i*n:])
	ex.Label = m.Labels[i]
	ex.Mask.reshape(0, 0, 1)
	if m.Masks != nil {
		ex.Mask.reshape(m.H, m.W, 1)
		copy(ex.Mask.Pix, m.Masks[i*m.H*m.W:])
	}
	return nil
}

// checkLabels reports the first label outside [0, classes).
func checkLabels(labels []int32, classes int) error {
	for i, l := range labels {
		if l < 0 || int(l) >= classes {
			return fmt.Errorf("label %d of record %d is not a class in [0, %d)", l, i, classes)
		}
	}
	return nil
}
