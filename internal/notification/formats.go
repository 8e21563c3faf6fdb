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
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/imagestreams/imagestream-operator/internal/reference"
)

// Format names a notification format, in responses, logs and metrics.
type Format string

// The formats the receiver understands.
const (
	// FormatDistribution is a CNCF Distribution (docker/distribution) notification envelope.
	FormatDistribution Format = "distribution"
	// FormatDockerHub is a Docker Hub repository webhook.
	FormatDockerHub Format = "dockerhub"
	// FormatHarbor is a Harbor webhook, in its Default or its CloudEvents format.
	FormatHarbor Format = "harbor"
	// FormatQuay is a Quay repository notification (webhook POST).
	FormatQuay Format = "quay"
	// FormatRecheck is the receiver's own call: {"repository": "<registry>/<path>"}.
	FormatRecheck Format = "recheck"
)

// Media types of CNCF Distribution notification envelopes: v1 from Distribution 2.x, v2
// (the same JSON) from Distribution 3.
const (
	DistributionEventsV1MediaType = "application/vnd.docker.distribution.events.v1+json"
	DistributionEventsV2MediaType = "application/vnd.docker.distribution.events.v2+json"
)

// ErrUnknownFormat is returned for a payload the receiver does not understand.
var ErrUnknownFormat = errors.New("unknown notification format")

// A FormatError is a payload that is not valid in the format it claims.
type FormatError struct {
	Format Format
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("invalid %s notification: %s", e.Format, e.Reason)
}

// Push is a manifest pushed by tag to a Distribution registry, as its notification names it.
// Only Repository and Tag decide what is imported; Digest is what the registry said it
// stored, which tells the operator when its stream shows the push, and never becomes status.
type Push struct {
	// Hosts are the registry host names the push was addressed to: the Host header of the
	// push request and the host of the event's target URL.
	Hosts []string
	// Repository is the repository path, e.g. "team/app".
	Repository string
	// Tag is the pushed tag.
	Tag string
	// Digest is the digest of the pushed manifest.
	Digest string
}

// RepositoryChange names a repository whose tags may have moved, as a webhook or a re-check
// call reports it. Tags a payload names are not kept: every tag of the repository is
// checked against the registry.
type RepositoryChange struct {
	// Registry is the registry host, e.g. "docker.io", "quay.io" or "registry.local:5000".
	Registry string
	// Repository is the repository path in the registry, e.g. "library/nginx".
	Repository string
}

// String returns "<registry>/<repository>".
func (c RepositoryChange) String() string { return c.Registry + "/" + c.Repository }

// distributionEnvelope is the part of a Distribution notification envelope the receiver
// reads (github.com/distribution/distribution/v3/notifications.Envelope).
type distributionEnvelope struct {
	Events *[]distributionEvent `json:"events"`
}

// distributionEvent is the part of one Distribution event the receiver reads.
type distributionEvent struct {
	Action string `json:"action"`
	Target struct {
		MediaType  string `json:"mediaType"`
		Digest     string `json:"digest"`
		Repository string `json:"repository"`
		URL        string `json:"url"`
		Tag        string `json:"tag"`
	} `json:"target"`
	Request struct {
		Host string `json:"host"`
	} `json:"request"`
}

var (
	// repositoryPattern is Distribution's repository name grammar: lower-case path
	// components separated by '/'.
	repositoryPattern = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$`)
	// tagPattern is the tag grammar of the OCI distribution specification.
	tagPattern = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$`)
	// digestPattern accepts the digests registries use.
	digestPattern = regexp.MustCompile(`^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$`)
)

// IsDistributionMediaType reports whether contentType is that of a Distribution envelope.
func IsDistributionMediaType(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mediaType == DistributionEventsV1MediaType || mediaType == DistributionEventsV2MediaType)
}

// ParseDistribution decodes a Distribution notification envelope and returns its pushes by
// tag. Other events (blob pushes, pulls, mounts, deletes, pushes by digest) are counted in
// ignored. A push by tag with an invalid repository, tag or digest fails the whole envelope.
func ParseDistribution(contentType string, body []byte) (pushes []Push, ignored int, err error) {
	if !IsDistributionMediaType(contentType) {
		return nil, 0, fmt.Errorf("%w: Content-Type %q is not %s or %s", ErrUnknownFormat, contentType,
			DistributionEventsV2MediaType, DistributionEventsV1MediaType)
	}
	var envelope distributionEnvelope
	if err := json.Unmarshal(body, &envelope); err != nil {
		return nil, 0, &FormatError{Format: FormatDistribution, Reason: err.Error()}
	}
	if envelope.Events == nil {
		return nil, 0, &FormatError{Format: FormatDistribution, Reason: `the envelope has no "events"`}
	}
	for i, e := range *envelope.Events {
		if e.Action != "push" || e.Target.Tag == "" {
			ignored++
			continue
		}
		p := Push{Repository: e.Target.Repository, Tag: e.Target.Tag, Digest: e.Target.Digest}
		switch {
		case !repositoryPattern.MatchString(p.Repository):
			return nil, 0, &FormatError{Format: FormatDistribution, Reason: fmt.Sprintf("event %d: invalid repository %q", i, p.Repository)}
		case !tagPattern.MatchString(p.Tag):
			return nil, 0, &FormatError{Format: FormatDistribution, Reason: fmt.Sprintf("event %d: invalid tag %q", i, p.Tag)}
		case !digestPattern.MatchString(p.Digest):
			return nil, 0, &FormatError{Format: FormatDistribution, Reason: fmt.Sprintf("event %d: invalid digest %q", i, p.Digest)}
		}
		if e.Request.Host != "" {
			p.Hosts = append(p.Hosts, e.Request.Host)
		}
		if u, err := url.Parse(e.Target.URL); err == nil && u.Host != "" {
			p.Hosts = append(p.Hosts, hostWithPort(u))
		}
		pushes = append(pushes, p)
	}
	return pushes, ignored, nil
}

// hostWithPort returns the host of u, with the scheme's default port left out.
func hostWithPort(u *url.URL) string {
	if (u.Scheme == "https" && u.Port() == "443") || (u.Scheme == "http" && u.Port() == "80") {
		return u.Hostname()
	}
	return u.Host
}

// webhookPayload holds the fields that tell the webhook formats apart and name the
// repository, of all of them at once.
type webhookPayload struct {
	// Docker Hub
	PushData   json.RawMessage `json:"push_data"`
	Repository json.RawMessage `json:"repository"`
	// Harbor, Default format
	Type      string           `json:"type"`
	EventData *harborEventData `json:"event_data"`
	// Harbor, CloudEvents format
	SpecVersion string           `json:"specversion"`
	Data        *harborEventData `json:"data"`
	// Quay
	DockerURL string          `json:"docker_url"`
	BuildID   json.RawMessage `json:"build_id"`
}

// harborEventData is the event data of a Harbor webhook.
type harborEventData struct {
	Resources []struct {
		ResourceURL string `json:"resource_url"`
	} `json:"resources"`
}

// dockerHubRepository is the repository object of a Docker Hub webhook.
type dockerHubRepository struct {
	RepoName string `json:"repo_name"`
}

// ParseWebhook recognises a Docker Hub, Harbor or Quay webhook and returns the repositories
// it reports as pushed to. A recognised event that is not a push (a Harbor scan, a Quay
// build) gives no repository and no error.
func ParseWebhook(body []byte) (Format, []RepositoryChange, error) {
	var p webhookPayload
	if err := json.Unmarshal(body, &p); err != nil {
		return "", nil, fmt.Errorf("%w: the body is not a JSON object: %v", ErrUnknownFormat, err)
	}
	switch {
	case p.EventData != nil && p.Type != "":
		changes, err := harborChanges(p.Type == "PUSH_ARTIFACT", p.EventData)
		return FormatHarbor, changes, err
	case p.SpecVersion != "" && strings.HasPrefix(p.Type, "harbor.") && p.Data != nil:
		changes, err := harborChanges(p.Type == "harbor.artifact.pushed", p.Data)
		return FormatHarbor, changes, err
	case p.DockerURL != "":
		if len(p.BuildID) > 0 {
			return FormatQuay, nil, nil // a build event; its push sends its own notification
		}
		change, err := changeOf(p.DockerURL)
		if err != nil {
			return FormatQuay, nil, &FormatError{Format: FormatQuay, Reason: fmt.Sprintf("docker_url: %v", err)}
		}
		return FormatQuay, []RepositoryChange{change}, nil
	case len(p.PushData) > 0 && len(p.Repository) > 0:
		var repo dockerHubRepository
		if err := json.Unmarshal(p.Repository, &repo); err != nil || repo.RepoName == "" {
			return FormatDockerHub, nil, &FormatError{Format: FormatDockerHub, Reason: "repository.repo_name is missing"}
		}
		change, err := changeOf(reference.DockerDefaultRegistry + "/" + repo.RepoName)
		if err != nil {
			return FormatDockerHub, nil, &FormatError{Format: FormatDockerHub, Reason: fmt.Sprintf("repository.repo_name: %v", err)}
		}
		return FormatDockerHub, []RepositoryChange{change}, nil
	}
	return "", nil, fmt.Errorf("%w: expected a Docker Hub, Harbor or Quay webhook", ErrUnknownFormat)
}

// harborChanges returns the repositories of a Harbor push; other events give none.
func harborChanges(push bool, data *harborEventData) ([]RepositoryChange, error) {
	if !push {
		return nil, nil
	}
	var changes []RepositoryChange
	for _, r := range data.Resources {
		change, err := changeOf(r.ResourceURL)
		if err != nil {
			return nil, &FormatError{Format: FormatHarbor, Reason: fmt.Sprintf("resource_url: %v", err)}
		}
		if !slices.Contains(changes, change) {
			changes = append(changes, change)
		}
	}
	if len(changes) == 0 {
		return nil, &FormatError{Format: FormatHarbor, Reason: "a push without resources[].resource_url"}
	}
	return changes, nil
}

// recheckRequest is the body of a re-check call.
type recheckRequest struct {
	Repository string `json:"repository"`
}

// ParseRecheck decodes a re-check call, {"repository": "<registry>/<path>"}. A tag or digest
// in the repository is ignored: every tag that comes from the repository is checked.
func ParseRecheck(body []byte) (RepositoryChange, error) {
	var req recheckRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return RepositoryChange{}, fmt.Errorf(`%w: expected {"repository": "<registry>/<path>"}: %v`, ErrUnknownFormat, err)
	}
	change, err := changeOf(req.Repository)
	if err != nil {
		return RepositoryChange{}, &FormatError{Format: FormatRecheck, Reason: fmt.Sprintf("repository: %v", err)}
	}
	return change, nil
}

// changeOf parses a pull spec into the repository it names, with Docker's defaults.
func changeOf(pullSpec string) (RepositoryChange, error) {
	if pullSpec == "" {
		return RepositoryChange{}, errors.New("empty")
	}
	ref, err := reference.Parse(pullSpec)
	if err != nil {
		return RepositoryChange{}, fmt.Errorf("%q: %w", pullSpec, err)
	}
	if ref.Name == "" {
		return RepositoryChange{}, fmt.Errorf("%q names a registry, not a repository", pullSpec)
	}
	ref = ref.DockerClientDefaults()
	return RepositoryChange{Registry: ref.Registry, Repository: ref.RepositoryName()}, nil
}
