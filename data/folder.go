package data

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
)

// FolderOptions configures NewImageFolder.
type FolderOptions struct {
	// Channels is 3 (RGB, the default) or 1 (luma).
	Channels int
	// Classes fixes the class list instead of reading it from the folder,
	// so that a validation split uses the training split's indices.
	// Every class folder present must be in it.
	Classes []string
	// SkipBad tolerates empty class folders (listed in ImageFolder.Empty)
	// instead of failing.
	SkipBad bool
}

// ImageFolder is torchvision's ImageFolder layout: dir/<class>/<image>,
// classes sorted by folder name (so ILSVRC's synset folders work as they
// are), images with a .jpg, .jpeg or .png extension in any case.
type ImageFolder struct {
	Dir        string
	ClassNames []string
	Files      []string // path of each example
	Labels     []int32  // class of each example
	// Empty lists class folders without images, kept so class indices do
	// not shift (only with FolderOptions.SkipBad).
	Empty    []string
	channels int
}

// NewImageFolder scans dir. A missing dir, a class folder without images
// (unless opt.SkipBad) or a class folder missing from opt.Classes is an
// error; files are not opened until Load.
func NewImageFolder(dir string, opt FolderOptions) (*ImageFolder, error) {
	c, err := channels(opt.Channels)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("data: image folder: %w", err)
	}
	var found []string
	for _, e := range entries {
		if e.IsDir() {
			found = append(found, e.Name()) // ReadDir sorts by name
		}
	}
	classes := opt.Classes
	if classes == nil {
		classes = found
	}
	if len(classes) == 0 {
		return nil, fmt.Errorf("data: image folder %s has no class folders", dir)
	}
	f := &ImageFolder{Dir: dir, ClassNames: classes, channels: c}
	for _, name := range found {
		label := slices.Index(classes, name)
		if label < 0 {
			return nil, fmt.Errorf("data: class folder %s is not one of the %d known classes", filepath.Join(dir, name), len(classes))
		}
		cdir := filepath.Join(dir, name)
		files, err := os.ReadDir(cdir)
		if err != nil {
			return nil, fmt.Errorf("data: %w", err)
		}
		n := 0
		for _, e := range files {
			if !e.IsDir() && isImageFile(e.Name()) {
				f.Files = append(f.Files, filepath.Join(cdir, e.Name()))
				f.Labels = append(f.Labels, int32(label))
				n++
			}
		}
		if n == 0 {
			if !opt.SkipBad {
				return nil, fmt.Errorf("data: class folder %s has no .jpg, .jpeg or .png files", cdir)
			}
			f.Empty = append(f.Empty, cdir)
		}
	}
	if len(f.Files) == 0 {
		return nil, fmt.Errorf("data: image folder %s has no images", dir)
	}
	return f, nil
}

// ImageFolderSplits opens root/train and root/val as ImageFolders; the
// validation split uses the training split's classes.
func ImageFolderSplits(root string, opt FolderOptions) (train, val *ImageFolder, err error) {
	train, err = NewImageFolder(filepath.Join(root, "train"), opt)
	if err != nil {
		return nil, nil, err
	}
	opt.Classes = train.ClassNames
	val, err = NewImageFolder(filepath.Join(root, "val"), opt)
	if err != nil {
		return nil, nil, err
	}
	return train, val, nil
}

// Len returns the number of images.
func (f *ImageFolder) Len() int { return len(f.Files) }

// Classes returns the class names.
func (f *ImageFolder) Classes() []string { return f.ClassNames }

// Load reads and decodes image i.
func (f *ImageFolder) Load(i int, ex *Example) error {
	path, c, err := f.readFile(i, ex)
	if err != nil {
		return err
	}
	_, err = decodeFile(ex, path, c, 1)
	return err
}

// readFile implements fileDataset.
func (f *ImageFolder) readFile(i int, ex *Example) (path string, c int, err error) {
	if err := readImageFile(ex, f.Files[i]); err != nil {
		return "", 0, err
	}
	ex.Label = f.Labels[i]
	ex.Mask.reshape(0, 0, 1)
	return f.Files[i], f.channels, nil
}

// fileDataset is a Dataset of encoded image files that can hand over an
// example's file without decoding it, so that the Loader plans the view
// on the header's size and decodes the image only as large as the view
// needs.
type fileDataset interface {
	Dataset
	// readFile reads example i's file into ex.file and sets everything
	// else of ex but the image. It returns the file's path, which errors
	// name, and the channels to decode.
	readFile(i int, ex *Example) (path string, c int, err error)
}

// loadImage reads and decodes one image file into ex.Image; errors name
// the file.
func loadImage(ex *Example, path string, c int) error {
	if err := readImageFile(ex, path); err != nil {
		return err
	}
	_, err := decodeFile(ex, path, c, 1)
	return err
}

// readImageFile reads path into ex.file.
func readImageFile(ex *Example, path string) error {
	var err error
	ex.file, err = readInto(ex.file, path)
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return nil
}

// decodeFile decodes ex.file, read from path, into ex.Image with c
// channels, a JPEG at 1/shrink of its size; it returns the factor it
// shrank by (see decodeShrunk).
func decodeFile(ex *Example, path string, c, shrink int) (int, error) {
	s, err := decodeShrunk(&ex.Image, ex.file, c, MaxPixels, shrink)
	if err != nil {
		return s, fmt.Errorf("data: %s: %w", path, err)
	}
	return s, nil
}
