package data

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Segmentation is a list of image files and the mask files that label
// them pixel by pixel. NewVOC and NewSegFolder build one from the two
// supported layouts.
type Segmentation struct {
	ImageFiles []string
	MaskFiles  []string
	ClassNames []string
	channels   int
}

// NewVOC opens split ("train", "val", "trainval" or any list in the
// folder) of a Pascal VOC tree rooted at root (the VOC2012 folder):
// ImageSets/Segmentation/<split>.txt lists ids, JPEGImages/<id>.jpg holds
// the images and SegmentationClass/<id>.png the palette masks, whose
// palette index is the class (VOCClasses) and 255 marks borders to ignore.
func NewVOC(root, split string) (*Segmentation, error) {
	list := filepath.Join(root, "ImageSets", "Segmentation", split+".txt")
	ids, err := readLines(list)
	if err != nil {
		return nil, fmt.Errorf("data: VOC split: %w", err)
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("data: VOC split list %s is empty", list)
	}
	s := &Segmentation{ClassNames: VOCClasses, channels: 3}
	for _, id := range ids {
		s.ImageFiles = append(s.ImageFiles, filepath.Join(root, "JPEGImages", id+".jpg"))
		s.MaskFiles = append(s.MaskFiles, filepath.Join(root, "SegmentationClass", id+".png"))
	}
	return s, nil
}

// NewSegFolder opens the plain layout dir/images/<name>.{jpg,jpeg,png}
// with dir/masks/<name>.png, matched by file name without extension; mask
// pixel values are classes (palette index or gray value), 255 = ignore.
// classes names the classes; when nil they are read, one per line, from
// dir/classes.txt or, failing that, from classes.txt in dir's parent (so
// root/train and root/val can share one list). An image without a mask is
// an error.
func NewSegFolder(dir string, classes []string, channelCount int) (*Segmentation, error) {
	c, err := channels(channelCount)
	if err != nil {
		return nil, err
	}
	if classes == nil {
		if classes, err = readClasses(dir); err != nil {
			return nil, err
		}
	}
	imdir, mdir := filepath.Join(dir, "images"), filepath.Join(dir, "masks")
	entries, err := os.ReadDir(imdir)
	if err != nil {
		return nil, fmt.Errorf("data: segmentation folder: %w", err)
	}
	s := &Segmentation{ClassNames: classes, channels: c}
	for _, e := range entries {
		if e.IsDir() || !isImageFile(e.Name()) {
			continue
		}
		mask := filepath.Join(mdir, strings.TrimSuffix(e.Name(), filepath.Ext(e.Name()))+".png")
		if _, err := os.Stat(mask); err != nil {
			return nil, fmt.Errorf("data: mask for %s: %w", filepath.Join(imdir, e.Name()), err)
		}
		s.ImageFiles = append(s.ImageFiles, filepath.Join(imdir, e.Name()))
		s.MaskFiles = append(s.MaskFiles, mask)
	}
	if len(s.ImageFiles) == 0 {
		return nil, fmt.Errorf("data: segmentation folder %s has no images", imdir)
	}
	return s, nil
}

func readClasses(dir string) ([]string, error) {
	for _, p := range []string{filepath.Join(dir, "classes.txt"), filepath.Join(filepath.Dir(dir), "classes.txt")} {
		names, err := readLines(p)
		if err == nil && len(names) > 0 {
			return names, nil
		}
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("data: %w", err)
		}
	}
	return nil, fmt.Errorf("data: no class names given and no classes.txt in %s or its parent", dir)
}

// Len returns the number of images.
func (s *Segmentation) Len() int { return len(s.ImageFiles) }

// Classes returns the class names.
func (s *Segmentation) Classes() []string { return s.ClassNames }

// Load reads and decodes image i and its mask. A mask whose size differs
// from its image's, or with a value that is neither a class nor 255, is an
// error naming both files.
func (s *Segmentation) Load(i int, ex *Example) error {
	if err := loadImage(ex, s.ImageFiles[i], s.channels); err != nil {
		return err
	}
	mp := s.MaskFiles[i]
	var err error
	ex.file, err = readInto(ex.file, mp)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := DecodeMask(&ex.Mask, ex.file); err != nil {
		return fmt.Errorf("data: %s: %w", mp, err)
	}
	if ex.Mask.H != ex.Image.H || ex.Mask.W != ex.Image.W {
		return fmt.Errorf("data: mask %s is %dx%d but image %s is %dx%d",
			mp, ex.Mask.W, ex.Mask.H, s.ImageFiles[i], ex.Image.W, ex.Image.H)
	}
	for j, v := range ex.Mask.Pix {
		if int(v) >= len(s.ClassNames) && v != Ignore {
			return fmt.Errorf("data: mask %s: value %d at (x=%d, y=%d) is neither a class in [0, %d) nor %d (ignore)",
				mp, v, j%ex.Mask.W, j/ex.Mask.W, len(s.ClassNames), Ignore)
		}
	}
	ex.Label = -1
	return nil
}
