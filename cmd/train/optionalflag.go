package main

import (
	"fmt"
	"strconv"
)

// optionalFloat reads a number flag whose absence means something of its
// own, as torchvision's flags that default to None: the empty string (what
// a checkpoint records for an unset one) leaves it unset.
type optionalFloat struct{ v **float64 }

func (f optionalFloat) String() string {
	if f.v == nil || *f.v == nil {
		return ""
	}
	return strconv.FormatFloat(**f.v, 'g', -1, 64)
}

func (f optionalFloat) Set(s string) error {
	if s == "" {
		*f.v = nil
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("want a number")
	}
	*f.v = &v
	return nil
}
