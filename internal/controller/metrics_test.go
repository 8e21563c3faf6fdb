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
	"context"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/prometheus/client_golang/prometheus/testutil"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/registry"
	"github.com/imagestreams/imagestream-operator/test/testregistry"
)

// emptyNamespace is an imageReader of a namespace with no pull secrets and no Images.
type emptyNamespace struct{}

func (emptyNamespace) keychain(context.Context, string) (authn.Keychain, error) {
	return registry.KeychainFromSecrets(nil), nil
}

func (emptyNamespace) imageExists(context.Context, string, string) bool { return false }

func (emptyNamespace) readImage(_ context.Context, _, digest string) (*imagev1.Image, error) {
	return nil, apierrors.NewNotFound(schema.GroupResource{Group: imagev1.GroupVersion.Group, Resource: "images"}, digest)
}

// importSamples returns the number of observations of imagestream_import_duration_seconds
// with the result, as served by the operator's metrics registry.
func importSamples(t *testing.T, result string) uint64 {
	t.Helper()
	families, err := metrics.Registry.Gather()
	if err != nil {
		t.Fatalf("gathering metrics: %v", err)
	}
	for _, f := range families {
		if f.GetName() != "imagestream_import_duration_seconds" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "result" && l.GetValue() == result {
					return m.GetHistogram().GetSampleCount()
				}
			}
		}
	}
	return 0
}

func TestImportsAreCountedByResultAndReason(t *testing.T) {
	reg := testregistry.New(t, testregistry.Options{})
	if _, err := reg.PushImage("app", "v1", testregistry.ImageSpec{}); err != nil {
		t.Fatal(err)
	}
	run := &importRun{
		ctx: t.Context(), reader: emptyNamespace{},
		importer: registry.NewImporter(registry.Options{RequestTimeout: 10 * time.Second}),
		stream:   &imagev1.ImageStream{ObjectMeta: metav1.ObjectMeta{Namespace: "ns", Name: "app"}},
	}
	tests := []struct {
		from, result, reason string
	}{
		{reg.Host() + "/app:v1", resultSuccess, ""},
		{reg.Host() + "/app:missing", resultFailure, registry.ReasonNotFound},
		{reg.Host() + "/App:v1", resultFailure, registry.ReasonBadRequest},
	}
	for _, tc := range tests {
		t.Run(tc.from, func(t *testing.T) {
			count := imports.WithLabelValues(tc.result, tc.reason)
			before, samplesBefore := testutil.ToFloat64(count), importSamples(t, tc.result)
			_, err := run.importTag(dockerTag("v1", tc.from))
			if (err == nil) != (tc.result == resultSuccess) {
				t.Fatalf("import of %s: %v", tc.from, err)
			}
			if got := testutil.ToFloat64(count) - before; got != 1 {
				t.Errorf(`imagestream_imports_total{result=%q,reason=%q} moved by %v, want 1`, tc.result, tc.reason, got)
			}
			if got := importSamples(t, tc.result) - samplesBefore; got != 1 {
				t.Errorf(`imagestream_import_duration_seconds{result=%q} has %d new observations, want 1`, tc.result, got)
			}
		})
	}
}

func TestScheduleCountsScheduledTagsAndStreams(t *testing.T) {
	s := NewSchedule(15*time.Minute, 0)
	a := types.NamespacedName{Namespace: "ns", Name: "a"}
	b := types.NamespacedName{Namespace: "ns", Name: "b"}
	tags, streams := testutil.ToFloat64(scheduledTags), testutil.ToFloat64(scheduledStreams)
	check := func(step string, wantTags, wantStreams float64) {
		t.Helper()
		if got := testutil.ToFloat64(scheduledTags) - tags; got != wantTags {
			t.Errorf("%s: imagestream_scheduled_tags moved by %v, want %v", step, got, wantTags)
		}
		if got := testutil.ToFloat64(scheduledStreams) - streams; got != wantStreams {
			t.Errorf("%s: imagestream_scheduled_streams moved by %v, want %v", step, got, wantStreams)
		}
	}
	s.track(a, 2)
	s.track(b, 1)
	s.track(a, 2) // reconciled again, unchanged
	check("two streams", 3, 2)
	s.track(a, 1)
	check("a tag of a no longer scheduled", 2, 2)
	s.track(b, 0)
	check("b without scheduled tags", 1, 1)
	s.forget(a)
	check("a deleted", 0, 0)
	s.forget(a)
	check("a forgotten twice", 0, 0)
}
