package train

import (
	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/data"
)

// feeder moves one replica's batches from a loader to its device. The loop
// puts the next step's batch before it reads the current step's loss, so a
// feeder that copies asynchronously (a GPU's, see newDeviceFeeder)
// overlaps the copy with the step's compute.
type feeder interface {
	// put hands the feeder b, which it releases once it has copied it.
	put(b *data.Batch)
	// take returns the oldest batch put as tensors on the device, made in
	// the open scope: images (N, H, W, C) float32, normalised, and labels
	// (N) or masks (N, H, W) int32.
	take() (images, targets *autograd.Tensor)
	// close releases what the feeder holds on the device.
	close() error
}

// pixelsOnDevice reports whether the loaders deliver uint8 images, to be
// normalised on the device: on GPUs, where that makes the copy to the
// device four times smaller and the host's work lighter.
func (c *Config) pixelsOnDevice() bool { return len(c.GPUs) > 0 }

// newFeeder returns the feeder of a replica on dev for batches of up to
// batch examples from l: the device's own asynchronous one when it has
// one, else a hostFeeder.
func newFeeder(dev *autograd.Device, l *data.Loader, batch int) feeder {
	scale, shift := l.PixelAffine()
	if f := newDeviceFeeder(dev, batch, scale, shift); f != nil {
		return f
	}
	f := &hostFeeder{dev: dev}
	if l.Uint8() {
		f.affine = newPixelAffine(dev, scale, shift)
	}
	return f
}

// hostFeeder copies a batch to the device when it is taken, through the
// backend's ordinary writes: on the CPU a copy in memory.
type hostFeeder struct {
	dev    *autograd.Device
	queue  []*data.Batch
	affine *pixelAffine // for Uint8 batches, nil for float32 ones
}

func (f *hostFeeder) put(b *data.Batch) { f.queue = append(f.queue, b) }

func (f *hostFeeder) take() (images, targets *autograd.Tensor) {
	b := f.queue[0]
	f.queue = f.queue[1:]
	defer b.Release()
	shape := autograd.Shape(b.Images.Shape())
	if f.affine == nil {
		images = autograd.FromFloat32s(f.dev, b.Images.Data().([]float32), shape...)
	} else {
		pix := autograd.Empty(f.dev, autograd.Uint8, shape...)
		f.dev.Backend().WriteUint8(pix.Buffer(), b.Images.Data().([]uint8))
		images = f.affine.apply(pix.Buffer(), shape)
		pix.Release()
	}
	if b.Masks != nil {
		return images, autograd.FromInt32s(f.dev, b.Masks.Data().([]int32), b.Masks.Shape()...)
	}
	return images, autograd.FromInt32s(f.dev, b.Labels, len(b.Labels))
}

func (f *hostFeeder) close() error {
	for _, b := range f.queue {
		b.Release()
	}
	f.queue = nil
	f.affine.release()
	return nil
}

// pixelAffine normalises uint8 images on the device (see
// data.Loader.PixelAffine).
type pixelAffine struct {
	dev          *autograd.Device
	scale, shift *autograd.Tensor // (C)
}

func newPixelAffine(dev *autograd.Device, scale, shift []float32) *pixelAffine {
	return &pixelAffine{dev: dev,
		scale: autograd.FromFloat32s(dev, scale, len(scale)).Keep(),
		shift: autograd.FromFloat32s(dev, shift, len(shift)).Keep()}
}

// apply returns the float32 images (N, H, W, C) of the pixels in pix.
func (a *pixelAffine) apply(pix autograd.Buffer, shape autograd.Shape) *autograd.Tensor {
	images := autograd.Empty(a.dev, autograd.Float32, shape...)
	rows, c := shape.Rows()
	a.dev.Backend().PixelsToFloat32(rows, c, pix, a.scale.Buffer(), a.shift.Buffer(), images.Buffer())
	return images
}

func (a *pixelAffine) release() {
	if a != nil {
		a.scale.Release()
		a.shift.Release()
	}
}
