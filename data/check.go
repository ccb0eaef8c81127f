package data

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"runtime"
	"sync"
)

// Checker is a Dataset whose examples can be checked without decoding
// them: their files open and their headers are sound (format, size, and a
// mask's kind and size). A file that passes can still fail to load when
// its data is corrupt further on.
type Checker interface {
	Check(i int) error
}

// BadExample is an example that cannot be used, with the error that says
// why; the error names its file.
type BadExample struct {
	Index int
	Err   error
}

// CheckAll checks every example of ds when ds is a Checker, on workers
// goroutines (0: GOMAXPROCS), and returns the bad ones in index order:
// all of them, not only the first.
func CheckAll(ds Dataset, workers int) []BadExample {
	c, ok := ds.(Checker)
	if !ok {
		return nil
	}
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	errs := make([]error, ds.Len())
	next := make(chan int)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for i := range next {
				errs[i] = c.Check(i)
			}
		})
	}
	for i := range errs {
		next <- i
	}
	close(next)
	wg.Wait()
	var bad []BadExample
	for i, err := range errs {
		if err != nil {
			bad = append(bad, BadExample{i, err})
		}
	}
	return bad
}

// Check reads the header of image i.
func (f *ImageFolder) Check(i int) error {
	_, err := imageHeader(f.Files[i])
	return err
}

// Check reads the headers of image i and its mask: the mask must be a
// palette or 8-bit grayscale PNG of the image's size.
func (s *Segmentation) Check(i int) error {
	img, err := imageHeader(s.ImageFiles[i])
	if err != nil {
		return err
	}
	mp := s.MaskFiles[i]
	mask, err := readHeader(mp)
	if err != nil {
		return fmt.Errorf("data: %s: %w", mp, err)
	}
	if mask.format != "png" || !isMaskModel(mask.ColorModel) {
		return fmt.Errorf("data: %s: mask must be a palette or 8-bit grayscale PNG", mp)
	}
	if mask.Width != img.Width || mask.Height != img.Height {
		return fmt.Errorf("data: mask %s is %dx%d but image %s is %dx%d",
			mp, mask.Width, mask.Height, s.ImageFiles[i], img.Width, img.Height)
	}
	return nil
}

// header is a file's image.Config and format ("jpeg" or "png").
type header struct {
	image.Config
	format string
}

// imageHeader reads the header of the image file at path; errors name it.
func imageHeader(path string) (header, error) {
	h, err := readHeader(path)
	if err != nil {
		return h, fmt.Errorf("data: %s: %w", path, err)
	}
	return h, nil
}

// readHeader reads a JPEG's or PNG's header from the file at path and
// checks its size as the decoders do. A JPEG feature image/jpeg does not
// support passes: whether it loads is up to the build's decoder.
func readHeader(path string) (header, error) {
	f, err := os.Open(path)
	if err != nil {
		return header{}, unwrapPath(err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil {
		return header{}, unwrapPath(err)
	} else if !st.Mode().IsRegular() {
		return header{}, errors.New("not a regular file")
	}
	r := bufio.NewReader(f)
	magic, _ := r.Peek(len(pngMagic))
	var h header
	switch {
	case bytes.HasPrefix(magic, jpegMagic):
		h.format = "jpeg"
		h.Config, err = jpeg.DecodeConfig(r)
		var unsupported jpeg.UnsupportedError
		if errors.As(err, &unsupported) {
			return h, nil
		}
	case bytes.HasPrefix(magic, pngMagic):
		h.format = "png"
		h.Config, err = png.DecodeConfig(r)
	default:
		return h, errors.New("not a JPEG or PNG file")
	}
	if errors.Is(err, io.EOF) {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return h, err
	}
	if h.Width <= 0 || h.Height <= 0 || h.Width > MaxPixels/h.Height {
		return h, fmt.Errorf("image size %dx%d is empty or over %d pixels", h.Width, h.Height, MaxPixels)
	}
	return h, nil
}

// unwrapPath drops the operation and path of an *os.PathError, which the
// caller names itself.
func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// isMaskModel reports whether a PNG of colour model m decodes to what
// DecodeMask takes: palette indices or 8-bit gray values.
func isMaskModel(m color.Model) bool {
	_, palette := m.(color.Palette)
	return palette || m == color.GrayModel
}
