package data

import "testing"

// nine is the 3x3 grey image [1 2 3; 4 5 6; 7 8 9], times ten.
func nine() *Image { return img(3, 3, 1, 10, 20, 30, 40, 50, 60, 70, 80, 90) }

func TestRotate(t *testing.T) {
	// A quarter turn counter-clockwise: the right column becomes the top
	// row.
	checkPix(t, "90 nearest", applied(rotate(90, true), nine()), 30, 60, 90, 20, 50, 80, 10, 40, 70)
	checkPix(t, "90 bilinear", applied(rotate(90, false), nine()), 30, 60, 90, 20, 50, 80, 10, 40, 70)
	checkPix(t, "-90", applied(rotate(-90, true), nine()), 70, 40, 10, 80, 50, 20, 90, 60, 30)
	// Channels move together; half a turn about the centre of a 2x2.
	rgb := img(2, 2, 3, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
	checkPix(t, "180 RGB", applied(rotate(180, true), rgb), 10, 11, 12, 7, 8, 9, 4, 5, 6, 1, 2, 3)
}

func TestTranslate(t *testing.T) {
	checkPix(t, "right 1", applied(translate(1, 0, true), nine()), 0, 10, 20, 0, 40, 50, 0, 70, 80)
	checkPix(t, "up 2", applied(translate(0, -2, false), nine()), 70, 80, 90, 0, 0, 0, 0, 0, 0)
}

// ShearX 0.5: output (j, i) reads input x = j + 0.5*(i + 0.5), that is
// j + 0.25, j + 0.75 and j + 1.25 on rows 0, 1, 2. Nearest rounds to j,
// j+1, j+1. Bilinear mixes: row 0 gives 0.75*10 + 0.25*20 = 12.5 -> 12
// (ties to even), 22.5 -> 22, 0.75*30 = 22.5 -> 22; row 1 gives
// 0.25*40 + 0.75*50 = 47.5 -> 48, 57.5 -> 58, 15; row 2 gives 82.5 -> 82,
// 67.5 -> 68, 0.
func TestShearX(t *testing.T) {
	checkPix(t, "nearest", applied(shearX(0.5, 3, true), nine()), 10, 20, 30, 50, 60, 0, 80, 90, 0)
	checkPix(t, "bilinear", applied(shearX(0.5, 3, false), nine()), 12, 22, 22, 48, 58, 15, 82, 68, 0)
}

// ShearY -0.5: output (j, i) reads input y = i - 0.5*(j + 0.5): column 0
// stays (i - 0.25), columns 1 and 2 read a row up (i - 0.75, i - 1.25).
func TestShearY(t *testing.T) {
	checkPix(t, "nearest", applied(shearY(-0.5, 3, true), nine()), 10, 0, 0, 40, 20, 30, 70, 50, 60)
}
