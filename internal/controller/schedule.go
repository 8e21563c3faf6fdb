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

package controller

import (
	"sync"
	"time"

	"golang.org/x/time/rate"
	"k8s.io/apimachinery/pkg/types"

	"github.com/imagestreams/imagestream-operator/internal/imagestream"
)

// Schedule decides when the scheduled tags of each stream are re-checked: once per
// interval, in a slot whose phase depends on the stream (imagestream.CheckSlot), under a
// cluster-wide cap of checks per minute. It remembers in memory which slot of each stream
// was checked; the first time it sees a stream (a new stream, or after a restart) it counts
// the current slot as checked, so a restart never re-checks every stream at once. It keeps
// the imagestream_scheduled_* metrics.
type Schedule struct {
	interval time.Duration
	limiter  *rate.Limiter
	mu       sync.Mutex
	checked  map[types.NamespacedName]time.Time
	// turns are the times at which streams delayed by the cap may check, reserved from limiter.
	turns map[types.NamespacedName]time.Time
	// tags is the number of scheduled tags of each stream that has some.
	tags map[types.NamespacedName]int
}

// NewSchedule returns a schedule re-checking every interval, at most perMinute streams a
// minute (perMinute <= 0: no cap).
func NewSchedule(interval time.Duration, perMinute int) *Schedule {
	s := &Schedule{interval: interval, checked: map[types.NamespacedName]time.Time{}, tags: map[types.NamespacedName]int{},
		turns: map[types.NamespacedName]time.Time{}}
	if perMinute > 0 {
		s.limiter = rate.NewLimiter(rate.Limit(float64(perMinute)/60), perMinute)
	}
	return s
}

// due reports whether the stream's current slot still needs its check, and the slot.
func (s *Schedule) due(key types.NamespacedName, now time.Time) (bool, time.Time) {
	slot := imagestream.CheckSlot(key.String(), s.interval, now)
	s.mu.Lock()
	defer s.mu.Unlock()
	last, seen := s.checked[key]
	if !seen {
		s.checked[key] = slot
		return false, slot
	}
	return last.Before(slot), slot
}

// admit takes the stream's turn under the per-minute cap; when the cap is exhausted it
// returns how long to wait. A stream the cap delays keeps its place: a token is reserved
// for it, and when the wait is over it is admitted without competing again. Delayed streams
// are so checked in the order they became due, each reconciled twice, instead of all of
// them retrying whenever a token frees up.
func (s *Schedule) admit(key types.NamespacedName, now time.Time) (bool, time.Duration) {
	if s.limiter == nil {
		scheduledChecks.WithLabelValues(resultAdmitted).Inc()
		return true, 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if turn, reserved := s.turns[key]; reserved {
		if wait := turn.Sub(now); wait > 0 {
			return false, wait
		}
		delete(s.turns, key)
	} else if delay := s.limiter.ReserveN(now, 1).DelayFrom(now); delay > 0 {
		s.turns[key] = now.Add(delay)
		scheduledChecks.WithLabelValues(resultDelayed).Inc()
		return false, delay
	}
	scheduledChecks.WithLabelValues(resultAdmitted).Inc()
	return true, 0
}

// track records how many scheduled tags a stream has (0: none), for the
// imagestream_scheduled_tags and imagestream_scheduled_streams gauges.
func (s *Schedule) track(key types.NamespacedName, tags int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.setTags(key, tags)
}

// setTags is track with s.mu held.
func (s *Schedule) setTags(key types.NamespacedName, tags int) {
	old := s.tags[key]
	if tags == old {
		return
	}
	scheduledTags.Add(float64(tags - old))
	switch {
	case old == 0:
		scheduledStreams.Inc()
	case tags == 0:
		scheduledStreams.Dec()
	}
	if tags == 0 {
		delete(s.tags, key)
		delete(s.turns, key)
	} else {
		s.tags[key] = tags
	}
}

// done records that the stream's slot was checked.
func (s *Schedule) done(key types.NamespacedName, slot time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checked[key] = slot
}

// untilNext is the time from now to the stream's next slot.
func (s *Schedule) untilNext(key types.NamespacedName, now time.Time) time.Duration {
	return imagestream.CheckSlot(key.String(), s.interval, now).Add(s.interval).Sub(now)
}

// forget drops a deleted stream.
func (s *Schedule) forget(key types.NamespacedName) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.checked, key)
	delete(s.turns, key)
	s.setTags(key, 0)
}
