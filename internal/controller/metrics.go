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
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Values of the result label of the import and scheduling metrics.
const (
	resultSuccess  = "success"
	resultFailure  = "failure"
	resultAdmitted = "admitted"
	resultDelayed  = "delayed"
)

// imports counts image imports, one per tag or pull spec imported (spec tags, tags of
// spec.dockerImageRepository, ImageStreamImport images), by result and failure reason.
var imports = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "imagestream_imports_total",
	Help: "Image imports (one per tag or pull spec), by result (success, failure) and, for failures, " +
		"the reason of the tag's ImportSuccess condition (NotFound, Unauthorized, Forbidden, BadRequest, " +
		"TooManyRequests, Timeout, InternalError).",
}, []string{"result", "reason"})

// importDuration observes how long one image import takes.
var importDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
	Name:    "imagestream_import_duration_seconds",
	Help:    "Time to import one image (resolve the tag, fetch and verify what is new), in seconds, by result.",
	Buckets: []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60},
}, []string{"result"})

// scheduledTags and scheduledStreams count what the Schedule re-checks periodically.
var (
	scheduledTags = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "imagestream_scheduled_tags",
		Help: "Tags with importPolicy.scheduled that are re-checked every scheduled import interval.",
	})
	scheduledStreams = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "imagestream_scheduled_streams",
		Help: "Image streams with at least one scheduled tag; each is one check per scheduled import interval.",
	})
)

// scheduledChecks counts the scheduled checks that were due, by whether the per-minute cap
// admitted them or postponed them.
var scheduledChecks = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "imagestream_scheduled_checks_total",
	Help: "Scheduled checks of image streams that came due, by result: admitted, or delayed " +
		"(postponed by --max-scheduled-imports-per-minute; admitted later).",
}, []string{"result"})

// scheduledCheckDelay observes how late scheduled checks run.
var scheduledCheckDelay = prometheus.NewHistogram(prometheus.HistogramOpts{
	Name: "imagestream_scheduled_check_delay_seconds",
	Help: "Time from the start of a stream's scheduled check slot to the check, in seconds; " +
		"grows when the per-minute cap or a busy operator holds checks back.",
	Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600},
})

// triggerUpdates counts container images set by image change triggers, by workload kind.
var triggerUpdates = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "imagestream_trigger_updates_total",
	Help: "Container images updated by image change triggers, by workload kind.",
}, []string{"kind"})

func init() {
	metrics.Registry.MustRegister(imports, importDuration, scheduledTags, scheduledStreams,
		scheduledChecks, scheduledCheckDelay, triggerUpdates)
}

// observeImport records one image import that started at start and ended with *err
// (deferred by the import, so that every return is counted).
func observeImport(start time.Time, err *error) {
	result, reason := resultSuccess, ""
	if *err != nil {
		result = resultFailure
		reason, _, _ = failureOf(*err, 0)
	}
	imports.WithLabelValues(result, reason).Inc()
	importDuration.WithLabelValues(result).Observe(time.Since(start).Seconds())
}
