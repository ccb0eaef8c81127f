package data

// Image is an 8-bit image in HWC order: channel c of pixel (y, x) is
// Pix[(y*W+x)*C+c]. Masks are Images with C == 1 whose values are classes.
type Image struct {
	H, W, C int
	Pix     []uint8
}

// reshape sets the size of m, reusing Pix's capacity when it suffices so
// that a worker decoding image after image stops allocating.
func (m *Image) reshape(h, w, c int) {
	m.H, m.W, m.C = h, w, c
	n := h * w * c
	if cap(m.Pix) < n {
		m.Pix = make([]uint8, n)
	}
	m.Pix = m.Pix[:n]
}

// Example is one decoded dataset entry. Loaders reuse Examples across calls
// to Dataset.Load, so implementations should write into the existing
// buffers.
type Example struct {
	Image Image
	// Mask holds per-pixel classes (C == 1, same H and W as Image) for
	// segmentation datasets; its W is 0 for classification datasets.
	Mask Image
	// Label is the class index for classification datasets, -1 otherwise.
	Label int32
	// file is scratch space for the encoded bytes of file-backed datasets.
	file []byte
}
