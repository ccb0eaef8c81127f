package train

import (
	"fmt"
	"image"
	"image/color"

	"github.com/gocnn/gocnn/data"
)

// AugmentGrid draws what cfg's training transforms (crop, flip and
// Augment) do to its dataset: one row for each of rows training images,
// spread over the set, showing the image as validation sees it, then
// draws training draws of it (epochs 0, 1, ...), each through the same
// seeded pipeline that training runs. Small images are enlarged to about
// 96 pixels by repeating pixels.
func AugmentGrid(cfg Config, rows, draws int) (*image.RGBA, error) {
	if rows < 1 || draws < 1 {
		return nil, fmt.Errorf("augment grid of %d rows and %d draws: both must be at least 1", rows, draws)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	cfg = cfg.DatasetDefaults()
	ds, err := openData(&cfg)
	if err != nil {
		return nil, err
	}
	rows = min(rows, ds.train.Len())
	sample := picked{ds.train, make([]int, rows)}
	for r := range rows {
		sample.idx[r] = r * ds.train.Len() / rows
	}
	columns := make([][]*image.RGBA, 0, 1+draws)
	views, err := gridColumn(sample, ds.valTfm, cfg.Seed, 0)
	if err != nil {
		return nil, err
	}
	columns = append(columns, views)
	for e := range draws {
		if views, err = gridColumn(sample, ds.trainTfm, cfg.Seed, e); err != nil {
			return nil, err
		}
		columns = append(columns, views)
	}
	return layOut(columns), nil
}

// picked is the examples of a dataset at idx.
type picked struct {
	data.Dataset
	idx []int
}

func (p picked) Len() int                           { return len(p.idx) }
func (p picked) Load(i int, ex *data.Example) error { return p.Dataset.Load(p.idx[i], ex) }

// gridColumn runs ds through tfm for epoch with a Loader, as training
// does, and returns its images in 8 bits.
func gridColumn(ds data.Dataset, tfm []data.Transform, seed uint64, epoch int) ([]*image.RGBA, error) {
	l, err := data.NewLoader(ds, data.LoaderConfig{BatchSize: ds.Len(), Transforms: tfm, Seed: seed, Uint8: true})
	if err != nil {
		return nil, err
	}
	e := l.Epoch(epoch)
	defer e.Close()
	b, err := e.Next()
	if err != nil {
		return nil, err
	}
	defer b.Release()
	n, h, w, c := l.Shape()
	pix := b.Images.Data().([]uint8)
	out := make([]*image.RGBA, n)
	for k := range out {
		m := image.NewRGBA(image.Rect(0, 0, w, h))
		for i := range w * h {
			p := pix[(k*w*h+i)*c:]
			if c >= 3 {
				m.SetRGBA(i%w, i/w, color.RGBA{p[0], p[1], p[2], 255})
			} else {
				m.SetRGBA(i%w, i/w, color.RGBA{p[0], p[0], p[0], 255})
			}
		}
		out[k] = m
	}
	return out, nil
}

// layOut places columns of images side by side on a dark background, each
// centred in a cell of the largest size, enlarged by a whole factor
// towards 96 pixels.
func layOut(columns [][]*image.RGBA) *image.RGBA {
	const gap, target = 4, 96
	cw, ch := 0, 0
	for _, col := range columns {
		for _, m := range col {
			cw, ch = max(cw, m.Rect.Dx()), max(ch, m.Rect.Dy())
		}
	}
	zoom := max(1, (target+max(cw, ch)-1)/max(cw, ch))
	cw, ch = cw*zoom, ch*zoom
	rows := len(columns[0])
	grid := image.NewRGBA(image.Rect(0, 0, len(columns)*(cw+gap)+gap, rows*(ch+gap)+gap))
	for i := range grid.Pix {
		grid.Pix[i] = 40
		if i%4 == 3 {
			grid.Pix[i] = 255
		}
	}
	for x, col := range columns {
		for y, m := range col {
			w, h := m.Rect.Dx()*zoom, m.Rect.Dy()*zoom
			x0, y0 := gap+x*(cw+gap)+(cw-w)/2, gap+y*(ch+gap)+(ch-h)/2
			for py := range h {
				for px := range w {
					grid.SetRGBA(x0+px, y0+py, m.RGBAAt(px/zoom, py/zoom))
				}
			}
		}
	}
	return grid
}
