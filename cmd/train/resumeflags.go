package main

import (
	"sort"

	"github.com/gocnn/gocnn/train"
)

// withRecordedFlags returns the arguments of a run that resumes the
// checkpoint resume names: the flags that checkpoint's run was started
// with (train.ResumeSettings), then args, whose own flags come later and
// so win. A resumed run thus goes on as it was started without repeating
// its flags, and a flag given again that changes it is checked by
// train.Run (refused unless -resume-allow names it).
func withRecordedFlags(resume string, args []string) ([]string, error) {
	recorded, err := train.ResumeSettings(resume)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(recorded))
	for name := range recorded {
		names = append(names, name)
	}
	sort.Strings(names)
	all := make([]string, 0, len(names)+len(args))
	for _, name := range names {
		all = append(all, "-"+name+"="+recorded[name])
	}
	return append(all, args...), nil
}
