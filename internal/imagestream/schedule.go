/*
Copyright 2026 The imagestream-operator Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package imagestream

import (
	"hash/fnv"
	"time"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/reference"
)

// ScheduledTags returns the tags of the stream that are re-checked periodically: importable
// DockerImage tags with importPolicy.scheduled whose pull spec names a tag. A scheduled
// digest reference is imported once, like any other tag, and never re-checked.
func ScheduledTags(is *imagev1.ImageStream) []string {
	var tags []string
	for _, t := range is.Spec.Tags {
		if !Importable(t) || !t.ImportPolicy.Scheduled {
			continue
		}
		if ref, err := reference.Parse(t.From.Name); err == nil && ref.ID != "" {
			continue
		}
		tags = append(tags, t.Name)
	}
	return tags
}

// CheckSlot returns the start of the scheduled-import slot that contains now for a stream.
// Each stream is checked once per interval at a fixed phase derived from its key, so a
// thousand streams are spread evenly over the interval and a restart of the operator
// neither loses the schedule nor checks every stream at once.
func CheckSlot(key string, interval time.Duration, now time.Time) time.Time {
	if interval <= 0 {
		return now
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(key))
	phase := time.Duration(h.Sum64() % uint64(interval))
	elapsed := now.Sub(time.Unix(0, 0).Add(phase))
	return now.Add(-(elapsed%interval + interval) % interval)
}
