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
	"testing"
	"time"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
)

func TestScheduledTags(t *testing.T) {
	scheduled := func(name, from string) imagev1.TagReference {
		return imagev1.TagReference{Name: name, From: &imagev1.ObjectReference{Kind: imagev1.DockerImageKind, Name: from},
			ImportPolicy: imagev1.TagImportPolicy{Scheduled: true}}
	}
	ref := scheduled("ref", "busybox:1")
	ref.Reference = true
	is := streamWith(scheduled("a", "busybox:1"), scheduled("digest", "busybox@"+d1), ref,
		imagev1.TagReference{Name: "plain", From: &imagev1.ObjectReference{Kind: imagev1.DockerImageKind, Name: "busybox"}})
	if got := ScheduledTags(is); len(got) != 1 || got[0] != "a" {
		t.Errorf("ScheduledTags = %v, want [a]", got)
	}
}

func TestCheckSlot(t *testing.T) {
	interval := 15 * time.Minute
	now := time.Date(2026, 12, 3, 10, 7, 0, 0, time.UTC)
	slot := CheckSlot("ns/app", interval, now)
	if slot.After(now) || now.Sub(slot) >= interval {
		t.Fatalf("slot %v does not contain %v", slot, now)
	}
	if got := CheckSlot("ns/app", interval, slot); !got.Equal(slot) {
		t.Errorf("the slot start belongs to its own slot: %v vs %v", got, slot)
	}
	if got := CheckSlot("ns/app", interval, slot.Add(interval-time.Nanosecond)); !got.Equal(slot) {
		t.Errorf("the last instant belongs to the slot: %v", got)
	}
	if got := CheckSlot("ns/app", interval, slot.Add(interval)); !got.Equal(slot.Add(interval)) {
		t.Errorf("the next slot starts one interval later: %v", got)
	}

	// A thousand streams spread over the interval: no minute holds more than a few percent.
	perMinute := map[int]int{}
	for i := range 1000 {
		s := CheckSlot("ns/stream-"+string(rune('a'+i%26))+string(rune(i)), interval, now)
		perMinute[int(s.Sub(now.Add(-interval)).Minutes())%15]++
	}
	for minute, n := range perMinute {
		if n > 120 {
			t.Errorf("minute %d holds %d of 1000 streams, want an even spread", minute, n)
		}
	}
}
