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

package notification

import (
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
)

// requests counts the requests the receiver answered, by endpoint and status code.
var requests = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "imagestream_notification_requests_total",
	Help: "Requests to the registry notification receiver, by endpoint (/distribution, /webhook, /recheck, other) " +
		"and HTTP status code (202 accepted; 400 bad payload, 401 wrong token, 413 too large, 429 rate-limited, " +
		"500 and 503 for the sender to retry).",
}, []string{"endpoint", "code"})

// actions counts what the receiver did with the events and repositories of notifications.
var actions = prometheus.NewCounterVec(prometheus.CounterOpts{
	Name: "imagestream_notification_actions_total",
	Help: "What the notification receiver did, by action: push_recorded (a pushed tag written to a stream's " +
		"pushed-tags annotation), stream_created (--create-streams-on-push), push_known (the stream already " +
		"showed it), reimport_requested, reimport_pending (a re-import was already requested), ignored.",
}, []string{"action"})

func init() {
	metrics.Registry.MustRegister(requests, actions)
}
