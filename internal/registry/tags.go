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

package registry

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
)

const (
	// maxTagPages bounds the pages ListTags follows.
	maxTagPages = 10000
	// maxTagPageBytes bounds the size of one page of tags.
	maxTagPageBytes = 16 << 20
)

// ListTags returns every tag of a repository, following the registry's pagination
// (Link headers). Failures are *Error values, as for Import, and a registry the policy
// refuses fails before any request is sent.
func (i *Importer) ListTags(ctx context.Context, registry, repository string, insecure bool,
	kc authn.Keychain) ([]string, error) {
	t, err := newTarget(registry, repository, insecure)
	if err != nil {
		return nil, err
	}
	if err := i.CheckRegistry(registry); err != nil {
		return nil, err
	}
	var tags []string
	err = i.throughMirrors(t, t.display, func(c target, ref string) error {
		return i.withCredentials(ctx, c, ref, kc, func(ctx context.Context, s *session) error {
			var err error
			tags, err = s.listTags(ctx, ref, i.tagPageSize)
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	return tags, nil
}

// listTags reads all pages of the tag list. Registries announce a next page with a Link
// header; when one answers a full page of pageSize tags without it, the next page is
// asked with the distribution spec's "last" parameter.
func (s *session) listTags(ctx context.Context, ref string, pageSize int) ([]string, error) {
	next := s.tagsURL(pageSize, "")
	seen := map[string]bool{}
	var tags []string
	for page := 0; next != ""; page++ {
		if page == maxTagPages {
			return nil, fmt.Errorf("listing tags: more than %d pages", maxTagPages)
		}
		pageTags, link, err := s.tagPage(ctx, ref, next)
		if err != nil {
			return nil, err
		}
		fresh := 0
		for _, tag := range pageTags {
			if !seen[tag] {
				seen[tag] = true
				tags = append(tags, tag)
				fresh++
			}
		}
		switch {
		case link != "":
			next = link
		case pageSize > 0 && len(pageTags) >= pageSize && fresh > 0:
			next = s.tagsURL(pageSize, pageTags[len(pageTags)-1])
		default:
			next = ""
		}
	}
	return tags, nil
}

// tagsURL returns the URL of a page of tags.
func (s *session) tagsURL(pageSize int, last string) string {
	q := url.Values{}
	if pageSize > 0 {
		q.Set("n", strconv.Itoa(pageSize))
	}
	if last != "" {
		q.Set("last", last)
	}
	u := s.base + "/tags/list"
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	return u
}

// tagPage fetches one page of tags and returns them with the URL of the next page.
func (s *session) tagPage(ctx context.Context, ref, pageURL string) ([]string, string, error) {
	resp, err := s.doURL(ctx, http.MethodGet, pageURL, "application/json")
	if err != nil {
		return nil, "", err
	}
	defer func() { _ = resp.Body.Close() }()
	raw, err := readLimited(resp.Body, resp.ContentLength, maxTagPageBytes)
	var over *overLimitError
	if errors.As(err, &over) {
		return nil, "", tooLargeError(ref, "tag list page", "tag list page", over.size, maxTagPageBytes)
	} else if err != nil {
		return nil, "", fmt.Errorf("reading tag list: %w", err)
	}
	var list struct {
		Tags []string `json:"tags"`
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return nil, "", fmt.Errorf("parsing tag list: %w", err)
	}
	next, err := s.nextPage(resp.Request.URL, resp.Header.Values("Link"))
	if err != nil {
		return nil, "", err
	}
	return list.Tags, next, nil
}

// nextPage resolves the rel="next" Link of a response; it must stay on the registry.
func (s *session) nextPage(current *url.URL, links []string) (string, error) {
	target := nextLink(links)
	if target == "" {
		return "", nil
	}
	u, err := current.Parse(target)
	if err != nil {
		return "", fmt.Errorf("invalid Link header %q: %w", target, err)
	}
	base, _ := url.Parse(s.base)
	if u.Scheme != base.Scheme || u.Host != base.Host {
		return "", fmt.Errorf("refusing to follow tag list Link to another host: %s", u.Redacted())
	}
	return u.String(), nil
}

// nextLink returns the target of the rel="next" link among Link header values.
func nextLink(values []string) string {
	for _, v := range values {
		for _, link := range strings.Split(v, ",") {
			target, params, found := strings.Cut(strings.TrimSpace(link), ";")
			target = strings.TrimSpace(target)
			if !found || !strings.HasPrefix(target, "<") || !strings.HasSuffix(target, ">") {
				continue
			}
			for _, p := range strings.Split(params, ";") {
				k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
				if strings.EqualFold(strings.TrimSpace(k), "rel") &&
					strings.EqualFold(strings.Trim(strings.TrimSpace(v), `"`), "next") {
					return target[1 : len(target)-1]
				}
			}
		}
	}
	return ""
}
