package autograd_test

import (
	"testing"

	"github.com/gocnn/gocnn/autograd"
)

func TestShapeNumel(t *testing.T) {
	for _, c := range []struct {
		s    autograd.Shape
		want int
	}{
		{autograd.Shape{}, 1},
		{autograd.Shape{7}, 7},
		{autograd.Shape{2, 3, 4, 5}, 120},
		{autograd.Shape{3, 0, 2}, 0},
	} {
		if got := c.s.Numel(); got != c.want {
			t.Errorf("%v.Numel() = %d, want %d", c.s, got, c.want)
		}
	}
}

func TestShapeEqualAndClone(t *testing.T) {
	s := autograd.Shape{2, 3, 4}
	c := s.Clone()
	if !c.Equal(s) || c.Equal(autograd.Shape{2, 3}) || c.Equal(autograd.Shape{2, 3, 5}) {
		t.Error("Equal does not compare dimensions one by one")
	}
	c[0] = 9
	if s[0] != 2 {
		t.Error("Clone aliases the original")
	}
	if got := s.String(); got != "[2 3 4]" {
		t.Errorf("String() = %q, want [2 3 4]", got)
	}
}

func TestShapeNHWC(t *testing.T) {
	n, h, w, c := autograd.Shape{2, 5, 7, 3}.NHWC("test")
	if n != 2 || h != 5 || w != 7 || c != 3 {
		t.Errorf("NHWC of [2 5 7 3] = %d %d %d %d", n, h, w, c)
	}
	for _, s := range []autograd.Shape{{}, {2, 3}, {1, 2, 3, 4, 5}} {
		if !panics(func() { s.NHWC("test") }) {
			t.Errorf("NHWC of %v did not panic", s)
		}
	}
}

func TestShapeRows(t *testing.T) {
	for _, c := range []struct {
		s          autograd.Shape
		rows, cols int
	}{
		{autograd.Shape{2, 5, 7, 3}, 70, 3},
		{autograd.Shape{4, 10}, 4, 10},
		{autograd.Shape{6}, 1, 6},
		{autograd.Shape{3, 0}, 0, 0},
	} {
		if r, k := c.s.Rows(); r != c.rows || k != c.cols {
			t.Errorf("%v.Rows() = %d, %d, want %d, %d", c.s, r, k, c.rows, c.cols)
		}
	}
	if !panics(func() { autograd.Shape{}.Rows() }) {
		t.Error("Rows of a scalar shape did not panic")
	}
}
