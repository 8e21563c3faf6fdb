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
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"k8s.io/apimachinery/pkg/types"
)

func TestScheduleCapsChecksPerMinute(t *testing.T) {
	s := NewSchedule(15*time.Minute, 60)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	admittedBefore := testutil.ToFloat64(scheduledChecks.WithLabelValues(resultAdmitted))
	delayedBefore := testutil.ToFloat64(scheduledChecks.WithLabelValues(resultDelayed))
	admitted := 0
	for range 200 {
		if ok, _ := s.admit(now); ok {
			admitted++
		}
	}
	if admitted != 60 {
		t.Fatalf("admitted %d checks at once, want the burst of 60", admitted)
	}
	if got := testutil.ToFloat64(scheduledChecks.WithLabelValues(resultAdmitted)) - admittedBefore; got != 60 {
		t.Errorf(`imagestream_scheduled_checks_total{result="admitted"} moved by %v, want 60`, got)
	}
	if got := testutil.ToFloat64(scheduledChecks.WithLabelValues(resultDelayed)) - delayedBefore; got != 140 {
		t.Errorf(`imagestream_scheduled_checks_total{result="delayed"} moved by %v, want 140`, got)
	}
	ok, wait := s.admit(now)
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("after the burst: admitted=%v, wait=%v; want a wait of at most 1s", ok, wait)
	}
	if ok, _ := s.admit(now.Add(time.Second)); !ok {
		t.Error("one check a second is admitted after the burst")
	}
	if ok, _ := NewSchedule(time.Minute, 0).admit(now); !ok {
		t.Error("no cap admits everything")
	}
}

func TestScheduleFirstSightIsNotDue(t *testing.T) {
	s := NewSchedule(15*time.Minute, 0)
	key := types.NamespacedName{Namespace: "ns", Name: "app"}
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	if due, _ := s.due(key, now); due {
		t.Fatal("a stream seen for the first time (new, or after a restart) is not due in its current slot")
	}
	due, slot := s.due(key, now.Add(15*time.Minute))
	if !due {
		t.Fatal("the next slot is due")
	}
	s.done(key, slot)
	if due, _ := s.due(key, now.Add(15*time.Minute)); due {
		t.Error("a checked slot is not due again")
	}
	if d := s.untilNext(key, now); d <= 0 || d > 15*time.Minute {
		t.Errorf("untilNext = %v", d)
	}
}
