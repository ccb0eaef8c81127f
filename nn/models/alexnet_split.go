package models

import (
	"fmt"
	"strings"

	"github.com/gocnn/gocnn/autograd"
	"github.com/gocnn/gocnn/nn"
)

// AlexNet2012Split is AlexNet2012 with each tower on its own device, as
// Krizhevsky et al. trained it on two GPUs (section 3.2, Figure 2): every
// layer's output channels (or features) are halved between the towers;
// conv2, conv4 and conv5 read only their own tower's maps, while conv3 and
// the fully connected layers read both, through autograd.ToDevice. It
// computes the same function as AlexNet2012 on one device: load the
// single-device weights with LoadFrom and save them with StoreTo.
//
// Its parameters are named "tower<t>." followed by the single-device name
// of the parameter they are a share of (see Shares).
type AlexNet2012Split struct {
	nn.Base
	Towers  [2]*AlexNetTower
	lrn     autograd.LRNOptions
	pool    autograd.PoolOptions
	dropout float32
	avgpool *nn.AdaptiveAvgPool2D
}

// AlexNetTower is one device's half of every layer of AlexNet2012.
type AlexNetTower struct {
	nn.Base
	Dev  *autograd.Device
	Conv [5]*nn.Conv2D
	FC   [3]*nn.Linear
}

// Forward is not used: the towers run interleaved, layer by layer, in
// AlexNet2012Split.Forward, since most layers read both. It panics.
func (t *AlexNetTower) Forward(*autograd.Tensor) *autograd.Tensor {
	panic("models: an AlexNetTower runs only inside AlexNet2012Split.Forward")
}

// alexTowerConvs is Figure 2's convolutions per tower: input channels seen
// (0: the image's), output channels, kernel, stride and padding, and the
// single-device layer they are half of.
var alexTowerConvs = [5]struct {
	cin, cout, k, stride, pad int
	name                      string
}{
	{0, 48, 11, 4, 0, "features.0"},
	{48, 128, 5, 1, 2, "features.4"},  // own tower only
	{256, 192, 3, 1, 1, "features.8"}, // both towers
	{192, 192, 3, 1, 1, "features.10"},
	{192, 128, 3, 1, 1, "features.12"},
}

// alexFCNames are the single-device names of fc6, fc7 and fc8.
var alexFCNames = [3]string{"classifier.1", "classifier.4", "classifier.6"}

// NewAlexNet2012Split returns AlexNet2012 with tower t on devs[t] and its
// parameters allocated but not initialised: load them with LoadFrom from a
// single-device AlexNet2012 built with the seed the run wants. The two
// devices must differ. It panics with fewer than two classes, which leave
// the second tower no share of fc8.
func NewAlexNet2012Split(devs [2]*autograd.Device, o Options) *AlexNet2012Split {
	if devs[0] == devs[1] {
		panic("models: AlexNet2012Split needs two devices")
	}
	classes := o.classes()
	if classes < 2 {
		panic(fmt.Sprintf("models: AlexNet2012Split of %d classes; want at least 2", classes))
	}
	m := &AlexNet2012Split{
		// The same options as AlexNet2012 (section 3.3, 3.4 and 4.2).
		lrn:     autograd.LRNOptions{Size: 5, Alpha: 1e-4, Beta: 0.75, K: 2},
		pool:    nn.NewMaxPool2D(3, 2, 0, false).Opt,
		dropout: 0.5,
		avgpool: nn.NewAdaptiveAvgPool2D(6),
	}
	fcIn := [3]int{256 * 6 * 6, 4096, 4096}
	fcOut := [2][3]int{{2048, 2048, classes - classes/2}, {2048, 2048, classes / 2}}
	for t, dev := range devs {
		b := nn.NewShapeBuilder(dev)
		tw := &AlexNetTower{Dev: dev}
		for i, c := range alexTowerConvs {
			cin := c.cin
			if cin == 0 {
				cin = o.inChannels()
			}
			conv := b.Conv2D(cin, c.cout, c.k, nn.ConvOptions{Stride: c.stride, Padding: c.pad, Bias: true})
			// A dotted child name gives the tower's parameters the
			// single-device names under the tower's prefix.
			tw.Conv[i] = nn.Child(&tw.Base, c.name, conv)
		}
		for i, name := range alexFCNames {
			tw.FC[i] = nn.Child(&tw.Base, name, b.Linear(fcIn[i], fcOut[t][i]))
		}
		m.Towers[t] = nn.Child(&m.Base, fmt.Sprintf("tower%d", t), tw)
	}
	return m
}

// Forward maps images (N, H, W, C), on either device, to logits (N,
// classes) on the first tower's device.
func (m *AlexNet2012Split) Forward(x *autograd.Tensor) *autograd.Tensor {
	var a [2]*autograd.Tensor
	each := func(f func(tw *AlexNetTower, x *autograd.Tensor) *autograd.Tensor) {
		for t, tw := range m.Towers {
			a[t] = f(tw, a[t])
		}
	}
	each(func(tw *AlexNetTower, _ *autograd.Tensor) *autograd.Tensor {
		return tw.Conv[0].ForwardReLU(onDevice(x, tw.Dev))
	})
	a = m.normalise(a)
	each(func(tw *AlexNetTower, x *autograd.Tensor) *autograd.Tensor {
		return tw.Conv[1].ForwardReLU(autograd.MaxPool2D(x, m.pool))
	})
	a = m.normalise(a)
	both := [2]*autograd.Tensor{autograd.MaxPool2D(a[0], m.pool), autograd.MaxPool2D(a[1], m.pool)}
	each(func(tw *AlexNetTower, _ *autograd.Tensor) *autograd.Tensor {
		x := autograd.Concat(onDevice(both[0], tw.Dev), onDevice(both[1], tw.Dev))
		x = tw.Conv[2].ForwardReLU(x)
		x = tw.Conv[3].ForwardReLU(x)
		x = tw.Conv[4].ForwardReLU(x)
		return m.avgpool.Forward(autograd.MaxPool2D(x, m.pool))
	})
	// Concatenating the towers' (N, 6, 6, 128) maps before flattening puts
	// the features in the single-device model's (h, w, c) order.
	h := autograd.Flatten(m.gather(a))
	for i := range 3 {
		if i < 2 {
			// One mask on the first device, for the features both towers
			// read: the mask AlexNet2012 draws there with the same seed.
			h = autograd.Dropout(h, m.dropout, m.Training())
		}
		each(func(tw *AlexNetTower, _ *autograd.Tensor) *autograd.Tensor {
			y := tw.FC[i].Forward(onDevice(h, tw.Dev))
			if i < 2 {
				y = autograd.ReLU(y)
			}
			return y
		})
		h = m.gather(a)
	}
	return m.Out(h)
}

// normalise applies the local response normalisation of AlexNet2012, whose
// windows span the whole channel dimension: each tower borrows the few
// channels of the other that its edge windows reach, so the result equals
// one LRN over the towers' concatenation. (Krizhevsky et al. normalised
// each GPU's kernels alone; AlexNet2012 on one device does not, and the
// split follows the single-device model.)
func (m *AlexNet2012Split) normalise(a [2]*autograd.Tensor) [2]*autograd.Tensor {
	below, above := m.lrn.Size/2, (m.lrn.Size-1)/2 // window reach in each direction
	c0, c1 := lastDim(a[0]), lastDim(a[1])
	d0, d1 := m.Towers[0].Dev, m.Towers[1].Dev
	halo1 := onDevice(autograd.Narrow(a[1], 0, above), d0)
	halo0 := onDevice(autograd.Narrow(a[0], c0-below, below), d1)
	return [2]*autograd.Tensor{
		autograd.Narrow(autograd.LRN(autograd.Concat(a[0], halo1), m.lrn), 0, c0),
		autograd.Narrow(autograd.LRN(autograd.Concat(halo0, a[1]), m.lrn), below, c1),
	}
}

// gather concatenates the towers' outputs on the first tower's device.
func (m *AlexNet2012Split) gather(a [2]*autograd.Tensor) *autograd.Tensor {
	return autograd.Concat(a[0], onDevice(a[1], m.Towers[0].Dev))
}

func lastDim(x *autograd.Tensor) int { return x.Shape()[len(x.Shape())-1] }

// onDevice returns x when it is on dev already, a copy on dev otherwise.
func onDevice(x *autograd.Tensor, dev *autograd.Device) *autograd.Tensor {
	if x.Device() == dev {
		return x
	}
	return autograd.ToDevice(x, dev)
}

// Share is one tower's part of a single-device parameter: the elements
// [Offset, Offset+Tensor.Numel()) of the parameter called Name, which are
// whole rows of its first dimension (output channels or features).
type Share struct {
	Name   string
	Offset int
	Tensor *autograd.Tensor
}

// Shares returns every parameter of the split model as a share of the
// single-device parameter it comes from, in the order of nn.Parameters.
func (m *AlexNet2012Split) Shares() []Share {
	var shares []Share
	offsets := map[string]int{}
	for _, p := range nn.Parameters(m) {
		_, name, _ := strings.Cut(p.Name, ".") // drop "tower<t>."
		shares = append(shares, Share{Name: name, Offset: offsets[name], Tensor: p.Tensor})
		offsets[name] += p.Tensor.Numel()
	}
	return shares
}

// LoadFrom copies the parameters of single, an AlexNet2012 with the same
// options, into the towers. It panics when single's parameters do not
// divide into the split's shares.
func (m *AlexNet2012Split) LoadFrom(single nn.Module) {
	full := fullParams(m, single)
	for _, s := range m.Shares() {
		v := full[s.Name].Float32s()
		s.Tensor.SetFloat32s(v[s.Offset : s.Offset+s.Tensor.Numel()])
	}
}

// StoreTo copies the towers' parameters into single, an AlexNet2012 with
// the same options (for checkpoints and single-device evaluation). It
// panics when single's parameters do not divide into the split's shares.
func (m *AlexNet2012Split) StoreTo(single nn.Module) {
	full := fullParams(m, single)
	host := map[string][]float32{}
	for _, s := range m.Shares() {
		if host[s.Name] == nil {
			host[s.Name] = make([]float32, full[s.Name].Numel())
		}
		copy(host[s.Name][s.Offset:], s.Tensor.Float32s())
	}
	for name, v := range host {
		full[name].SetFloat32s(v)
	}
}

// fullParams returns single's parameters by name after checking that the
// split's shares tile each of them exactly.
func fullParams(m *AlexNet2012Split, single nn.Module) map[string]*autograd.Tensor {
	full := map[string]*autograd.Tensor{}
	for _, p := range nn.Parameters(single) {
		full[p.Name] = p.Tensor
	}
	covered := map[string]int{}
	for _, s := range m.Shares() {
		f := full[s.Name]
		if f == nil || s.Offset != covered[s.Name] || !sameRowShape(f.Shape(), s.Tensor.Shape()) {
			panic(fmt.Sprintf("models: split AlexNet share %s %v does not fit the single-device model", s.Name, s.Tensor.Shape()))
		}
		covered[s.Name] += s.Tensor.Numel()
	}
	for name, f := range full {
		if covered[name] != f.Numel() {
			panic(fmt.Sprintf("models: the split AlexNet covers %d of the %d elements of %s", covered[name], f.Numel(), name))
		}
	}
	return full
}

// sameRowShape reports whether a and b agree in every dimension but the
// first.
func sameRowShape(a, b autograd.Shape) bool {
	return len(a) == len(b) && a[1:].Equal(b[1:])
}
