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
	"fmt"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"k8s.io/apimachinery/pkg/types"
)

func TestScheduleCapsChecksPerMinute(t *testing.T) {
	s := NewSchedule(15*time.Minute, 60)
	now := time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC)
	stream := func(i int) types.NamespacedName {
		return types.NamespacedName{Namespace: "ns", Name: fmt.Sprintf("app%03d", i)}
	}
	admittedBefore := testutil.ToFloat64(scheduledChecks.WithLabelValues(resultAdmitted))
	delayedBefore := testutil.ToFloat64(scheduledChecks.WithLabelValues(resultDelayed))
	admitted := 0
	waits := map[int]time.Duration{}
	for i := range 200 {
		ok, wait := s.admit(stream(i), now)
		if ok {
			admitted++
		} else {
			waits[i] = wait
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
	// The delayed streams queue one second apart, in the order they came.
	for i := 60; i < 200; i++ {
		if want := time.Duration(i-59) * time.Second; waits[i] != want {
			t.Fatalf("stream %d waits %v, want %v", i, waits[i], want)
		}
	}

	later := now.Add(time.Second)
	if ok, wait := s.admit(stream(61), later); ok || wait != time.Second {
		t.Errorf("stream 61 before its turn: admitted=%v, wait=%v; want a wait of 1s more", ok, wait)
	}
	if ok, _ := s.admit(stream(60), later); !ok {
		t.Error("stream 60 is admitted at its turn")
	}
	if ok, wait := s.admit(stream(60), later); ok || wait != 140*time.Second {
		t.Errorf("stream 60 again: admitted=%v, wait=%v; a turn is taken once, then the stream queues behind the others (140s)", ok, wait)
	}
	if ok, wait := s.admit(stream(999), later); ok || wait != 141*time.Second {
		t.Errorf("a stream due after the queue formed: admitted=%v, wait=%v; want to wait behind the queue (141s)", ok, wait)
	}
	if ok, _ := NewSchedule(time.Minute, 0).admit(stream(0), now); !ok {
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
