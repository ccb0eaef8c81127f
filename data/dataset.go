package data

// Dataset is a finite, indexable collection of examples. Load must be safe
// for concurrent use by several goroutines, each with its own Example.
type Dataset interface {
	// Len returns the number of examples.
	Len() int
	// Classes returns the class names; label and mask values index it.
	Classes() []string
	// Load decodes example i into ex, reusing ex's buffers. Errors name
	// the offending file.
	Load(i int, ex *Example) error
}
