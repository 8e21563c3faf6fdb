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
	"errors"
	"testing"

	. "github.com/onsi/gomega"
)

// digestA and digestB are valid digests.
const (
	digestA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	digestB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

// manifestPush is a manifest push event as Distribution 3 sends it (notifications/bridge.go).
const manifestPush = `{"events":[{
   "id": "320678d8-ca14-430f-8bb6-4ca139cd83f7",
   "timestamp": "2026-12-04T05:10:03.119763147Z",
   "action": "push",
   "target": {
      "mediaType": "application/vnd.oci.image.manifest.v1+json",
      "digest": "` + digestA + `",
      "size": 1234,
      "length": 1234,
      "repository": "team/app",
      "url": "https://registry.example.com/v2/team/app/manifests/` + digestA + `",
      "tag": "v1.2"
   },
   "request": {"id": "b8b6", "addr": "10.0.0.7:52744", "host": "registry.example.com", "method": "PUT", "useragent": "go-containerregistry"},
   "actor": {},
   "source": {"addr": "registry-5d8f:5000", "instanceID": "01a23f75"}
}]}`

func TestParseDistribution(t *testing.T) {
	blobPush := `{"events":[{"action":"push","target":{"mediaType":"application/octet-stream","digest":"` + digestB +
		`","repository":"team/app","url":"http://127.0.0.1:5000/v2/team/app/blobs/` + digestB + `"},"request":{"host":"127.0.0.1:5000"}}]}`
	tests := []struct {
		name        string
		contentType string
		body        string
		want        []Push
		ignored     int
		unknown     bool // ErrUnknownFormat
		invalid     bool // *FormatError
	}{{
		name: "manifest push by tag", contentType: DistributionEventsV2MediaType, body: manifestPush,
		want: []Push{{Hosts: []string{"registry.example.com", "registry.example.com"}, Repository: "team/app", Tag: "v1.2", Digest: digestA}},
	}, {
		name: "v1 media type of Distribution 2, with parameters", contentType: DistributionEventsV1MediaType + "; charset=utf-8", body: manifestPush,
		want: []Push{{Hosts: []string{"registry.example.com", "registry.example.com"}, Repository: "team/app", Tag: "v1.2", Digest: digestA}},
	}, {
		name: "target URL with a port, request host without", contentType: DistributionEventsV2MediaType,
		body: `{"events":[{"action":"push","target":{"digest":"` + digestA + `","repository":"ns/is","tag":"latest","url":"https://reg.local:5000/v2/ns/is/manifests/x"},"request":{"host":"reg.local"}}]}`,
		want: []Push{{Hosts: []string{"reg.local", "reg.local:5000"}, Repository: "ns/is", Tag: "latest", Digest: digestA}},
	}, {
		name: "blob pushes, pulls, deletes and pushes by digest are ignored", contentType: DistributionEventsV2MediaType,
		body: `{"events":[` + blobPush[11:len(blobPush)-2] + `,
			{"action":"pull","target":{"digest":"` + digestA + `","repository":"team/app","tag":"v1"}},
			{"action":"delete","target":{"repository":"team/app","tag":"v1"}},
			{"action":"push","target":{"digest":"` + digestA + `","repository":"team/app"}}]}`,
		ignored: 4,
	}, {
		name: "an empty envelope", contentType: DistributionEventsV2MediaType, body: `{"events":[]}`,
	}, {
		name: "application/json is not a Distribution envelope", contentType: "application/json", body: manifestPush, unknown: true,
	}, {
		name: "no Content-Type", body: manifestPush, unknown: true,
	}, {
		name: "not JSON", contentType: DistributionEventsV2MediaType, body: `events: []`, invalid: true,
	}, {
		name: "no events", contentType: DistributionEventsV2MediaType, body: `{"push_data":{}}`, invalid: true,
	}, {
		name: "invalid tag", contentType: DistributionEventsV2MediaType,
		body: `{"events":[{"action":"push","target":{"digest":"` + digestA + `","repository":"team/app","tag":"-bad"}}]}`, invalid: true,
	}, {
		name: "invalid repository", contentType: DistributionEventsV2MediaType,
		body: `{"events":[{"action":"push","target":{"digest":"` + digestA + `","repository":"Team/App","tag":"v1"}}]}`, invalid: true,
	}, {
		name: "invalid digest", contentType: DistributionEventsV2MediaType,
		body: `{"events":[{"action":"push","target":{"digest":"sha256:abc","repository":"team/app","tag":"v1"}}]}`, invalid: true,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			pushes, ignored, err := ParseDistribution(tt.contentType, []byte(tt.body))
			var formatErr *FormatError
			switch {
			case tt.unknown:
				g.Expect(errors.Is(err, ErrUnknownFormat)).To(BeTrue(), "error %v", err)
			case tt.invalid:
				g.Expect(errors.As(err, &formatErr)).To(BeTrue(), "error %v", err)
				g.Expect(formatErr.Format).To(Equal(FormatDistribution))
			default:
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(pushes).To(Equal(tt.want))
				g.Expect(ignored).To(Equal(tt.ignored))
			}
		})
	}
}

func TestParseWebhook(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		format  Format
		want    []RepositoryChange
		unknown bool
		invalid bool
	}{{
		name: "Docker Hub push",
		body: `{"callback_url":"https://registry.hub.docker.com/u/svendowideit/testhook/hook/2141b5bi5i5b02bec211i4eeih0242eg11000a/",
			"push_data":{"pushed_at":1417566161,"pusher":"trustedbuilder","tag":"latest"},
			"repository":{"comment_count":0,"date_created":1417494799,"name":"testhook","namespace":"svendowideit","repo_name":"svendowideit/testhook","status":"Active"}}`,
		format: FormatDockerHub, want: []RepositoryChange{{Registry: "docker.io", Repository: "svendowideit/testhook"}},
	}, {
		name:   "Docker Hub push of a single-name repository",
		body:   `{"push_data":{"tag":"1"},"repository":{"repo_name":"nginx"}}`,
		format: FormatDockerHub, want: []RepositoryChange{{Registry: "docker.io", Repository: "library/nginx"}},
	}, {
		name:   "Docker Hub push without repo_name",
		body:   `{"push_data":{"tag":"1"},"repository":{"name":"x"}}`,
		format: FormatDockerHub, invalid: true,
	}, {
		name: "Harbor push, Default format",
		body: `{"type":"PUSH_ARTIFACT","occur_at":1737446601,"operator":"admin","event_data":{
			"resources":[{"digest":"` + digestA + `","tag":"v1","resource_url":"harbor.example.com/library/app:v1"},
			             {"digest":"` + digestB + `","tag":"v2","resource_url":"harbor.example.com/library/app:v2"}],
			"repository":{"date_created":1737446600,"name":"app","namespace":"library","repo_full_name":"library/app","repo_type":"public"}}}`,
		format: FormatHarbor, want: []RepositoryChange{{Registry: "harbor.example.com", Repository: "library/app"}},
	}, {
		name: "Harbor push, CloudEvents format",
		body: `{"specversion":"1.0","id":"4b2f","source":"/projects/1/webhook/policies/3","type":"harbor.artifact.pushed",
			"datacontenttype":"application/json","time":"2026-01-01T00:00:00Z",
			"data":{"resources":[{"digest":"` + digestA + `","tag":"v1","resource_url":"harbor.example.com:8443/proj/app:v1"}],
			"repository":{"name":"app","namespace":"proj","repo_full_name":"proj/app"}},"operator":"admin"}`,
		format: FormatHarbor, want: []RepositoryChange{{Registry: "harbor.example.com:8443", Repository: "proj/app"}},
	}, {
		name:   "Harbor pull: recognised, nothing to do",
		body:   `{"type":"PULL_ARTIFACT","event_data":{"resources":[{"resource_url":"harbor.example.com/library/app:v1"}]}}`,
		format: FormatHarbor,
	}, {
		name:   "Harbor push without resource_url",
		body:   `{"type":"PUSH_ARTIFACT","event_data":{"resources":[{"tag":"v1","digest":"` + digestA + `"}],"repository":{"name":"app"}}}`,
		format: FormatHarbor, invalid: true,
	}, {
		name: "Quay repository push",
		body: `{"name":"repository","repository":"dgangaia/test","namespace":"dgangaia","docker_url":"quay.io/dgangaia/test",
			"homepage":"https://quay.io/repository/dgangaia/repository","updated_tags":["latest"]}`,
		format: FormatQuay, want: []RepositoryChange{{Registry: "quay.io", Repository: "dgangaia/test"}},
	}, {
		name:   "Quay build event: recognised, nothing to do",
		body:   `{"build_id":"296ec063","name":"test","repository":"dgangaia/test","docker_url":"quay.io/dgangaia/test","docker_tags":["latest"]}`,
		format: FormatQuay,
	}, {
		name:    "a Distribution envelope is not a webhook",
		body:    manifestPush,
		unknown: true,
	}, {
		name:    "some other JSON",
		body:    `{"ref":"refs/heads/main","commits":[]}`,
		unknown: true,
	}, {
		name:    "a JSON array",
		body:    `[1,2]`,
		unknown: true,
	}, {
		name:    "not JSON",
		body:    `repository=quay.io/a/b`,
		unknown: true,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			format, changes, err := ParseWebhook([]byte(tt.body))
			var formatErr *FormatError
			switch {
			case tt.unknown:
				g.Expect(errors.Is(err, ErrUnknownFormat)).To(BeTrue(), "error %v", err)
			case tt.invalid:
				g.Expect(errors.As(err, &formatErr)).To(BeTrue(), "error %v", err)
				g.Expect(format).To(Equal(tt.format))
			default:
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(format).To(Equal(tt.format))
				g.Expect(changes).To(Equal(tt.want))
			}
		})
	}
}

func TestParseRecheck(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		want    RepositoryChange
		unknown bool
		invalid bool
	}{
		{name: "a repository", body: `{"repository":"quay.io/org/app"}`, want: RepositoryChange{Registry: "quay.io", Repository: "org/app"}},
		{name: "a tag is ignored", body: `{"repository":"registry.local:5000/a/b/c:v1"}`, want: RepositoryChange{Registry: "registry.local:5000", Repository: "a/b/c"}},
		{name: "Docker Hub defaults", body: `{"repository":"busybox"}`, want: RepositoryChange{Registry: "docker.io", Repository: "library/busybox"}},
		{name: "a registry alone", body: `{"repository":"quay.io"}`, invalid: true},
		{name: "an invalid name", body: `{"repository":"quay.io/Org/App"}`, invalid: true},
		{name: "no repository", body: `{}`, invalid: true},
		{name: "unknown fields", body: `{"repository":"quay.io/org/app","tag":"v1"}`, unknown: true},
		{name: "not JSON", body: `quay.io/org/app`, unknown: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := NewWithT(t)
			change, err := ParseRecheck([]byte(tt.body))
			var formatErr *FormatError
			switch {
			case tt.unknown:
				g.Expect(errors.Is(err, ErrUnknownFormat)).To(BeTrue(), "error %v", err)
			case tt.invalid:
				g.Expect(errors.As(err, &formatErr)).To(BeTrue(), "error %v", err)
			default:
				g.Expect(err).NotTo(HaveOccurred())
				g.Expect(change).To(Equal(tt.want))
			}
		})
	}
}
