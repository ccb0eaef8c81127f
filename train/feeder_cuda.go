//go:build cuda

package train

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/cuda"
	"github.com/gocnn/gocnn/data"
)

// uploadFeeder feeds a GPU through a cuda.Uploader: put copies a batch's
// uint8 pixels and int32 targets into page-locked memory and queues their
// copy on a stream of its own; take converts and normalises the pixels on
// the device once they have arrived.
type uploadFeeder struct {
	dev    *autograd.Device
	gpu    *cuda.Backend
	batch  int // examples per batch, at most
	up     *cuda.Uploader
	affine *pixelAffine
	shapes [][2]autograd.Shape // images and targets of the batches put, oldest first
}

// newDeviceFeeder returns an uploadFeeder when dev is a GPU, nil otherwise.
func newDeviceFeeder(dev *autograd.Device, batch int, scale, shift []float32) feeder {
	gpu, ok := dev.Backend().(*cuda.Backend)
	if !ok {
		return nil
	}
	return &uploadFeeder{dev: dev, gpu: gpu, batch: batch, affine: newPixelAffine(dev, scale, shift)}
}

// put queues b's copy to the device and releases b. It panics (on the
// replica's goroutine, where it becomes the step's error) when b's images
// are not uint8: the loader of a GPU run delivers them so (see
// Config.pixelsOnDevice).
func (f *uploadFeeder) put(b *data.Batch) {
	defer b.Release()
	pix := b.Images.Data().([]uint8)
	targets, shape := b.Labels, autograd.Shape{len(b.Labels)}
	if b.Masks != nil {
		targets, shape = b.Masks.Data().([]int32), autograd.Shape(b.Masks.Shape())
	}
	if f.up == nil {
		var err error
		perImage := len(pix) / b.Len()
		if f.up, err = f.gpu.NewUploader(f.batch*perImage, f.batch*len(targets)/b.Len()); err != nil {
			panic(err)
		}
	}
	f.up.Put(pix, targets)
	f.shapes = append(f.shapes, [2]autograd.Shape{autograd.Shape(b.Images.Shape()).Clone(), shape.Clone()})
}

func (f *uploadFeeder) take() (images, targets *autograd.Tensor) {
	shapes := f.shapes[0]
	f.shapes = f.shapes[1:]
	f.up.Take(func(pix, labels autograd.Buffer) {
		images = f.affine.apply(pix, shapes[0])
		targets = autograd.Empty(f.dev, autograd.Int32, shapes[1]...)
		f.gpu.Copy(targets.Buffer(), labels)
	})
	return images, targets
}

func (f *uploadFeeder) close() error {
	f.affine.release()
	if f.up == nil {
		return nil
	}
	return f.up.Close()
}
