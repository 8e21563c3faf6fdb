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

package cli

import (
	"errors"
	"fmt"
	"path"
	"slices"

	imagev1 "github.com/imagestreams/imagestream-operator/api/v1"
	"github.com/imagestreams/imagestream-operator/internal/imagestream"
	"github.com/imagestreams/imagestream-operator/internal/reference"
)

// Planning of `import`: which ImageStreamImport to send for the stream as it is, with oc's
// checks and messages. Pure functions.

// importFlags are the flags of `import`.
type importFlags struct {
	from            string
	confirm         bool
	all             bool
	scheduled       bool
	insecure        bool
	insecureSet     bool
	importMode      string
	referencePolicy string
	dryRun          bool
}

// importTarget is the parsed IMAGESTREAM[:TAG] argument.
type importTarget struct {
	// stream is the image stream name, tag the tag ("" with --all), source the pull spec
	// given as argument (oc's default for --from).
	stream, tag, source string
}

// parseImportTarget parses the argument of `import`: an image stream name with an optional
// tag, or a pull spec whose last path component names the stream.
func parseImportTarget(arg string, all bool) (importTarget, error) {
	ref, err := reference.Parse(arg)
	if err != nil || ref.Name == "" {
		return importTarget{}, errors.New("the image name must be a valid container image pull spec or reference to an image stream (e.g. myregistry/myteam/image:tag)")
	}
	if ref.ID != "" {
		return importTarget{}, errors.New("to import images by ID, use the 'tag' command")
	}
	if ref.Tag != "" && all {
		return importTarget{}, fmt.Errorf("cannot specify a tag %q as well as --all", ref.Tag)
	}
	t := importTarget{stream: path.Base(ref.Name), tag: ref.Tag, source: arg}
	if t.tag == "" && !all {
		t.tag = "latest"
	}
	return t, nil
}

// importPlan is the request to send and what it changes.
type importPlan struct {
	spec imagev1.ImageStreamImportSpec
}

// planImport builds the import request of target for stream (nil when it does not exist),
// applying oc's rules; insecureStream is the stream's insecure-repository annotation.
func planImport(f importFlags, target importTarget, stream *imagev1.ImageStream) (importPlan, error) {
	mode, err := parseImportMode(f.importMode)
	if err != nil {
		return importPlan{}, err
	}
	policy, err := parseReferencePolicy(f.referencePolicy, false)
	if err != nil {
		return importPlan{}, err
	}
	importPolicy := imagev1.TagImportPolicy{Insecure: f.insecure, Scheduled: f.scheduled, ImportMode: mode}
	plan := importPlan{spec: imagev1.ImageStreamImportSpec{Import: !f.dryRun}}
	from := f.from
	if stream == nil {
		if !f.confirm {
			return importPlan{}, fmt.Errorf("no image stream named %q exists, pass --confirm to create and import", target.stream)
		}
		if from == "" {
			from = target.source
		}
		if f.all {
			return repositoryPlan(plan, from, importPolicy, policy)
		}
		plan.spec.Images = []imagev1.ImageImportSpec{imageImport(from, target.tag, importPolicy, policy)}
		return plan, nil
	}

	if !f.insecureSet && insecureStream(stream) {
		importPolicy.Insecure = true
	}
	if f.all {
		if from == "" {
			from = stream.Spec.DockerImageRepository
		}
		if from != "" {
			if stream.Spec.DockerImageRepository != from && !f.confirm {
				if stream.Spec.DockerImageRepository == "" {
					return importPlan{}, errors.New("the image stream does not currently import an entire Docker repository, pass --confirm to update")
				}
				return importPlan{}, fmt.Errorf("the image stream has a different import spec %q, pass --confirm to update", stream.Spec.DockerImageRepository)
			}
			return repositoryPlan(plan, from, importPolicy, policy)
		}
		for _, t := range stream.Spec.Tags {
			if t.From == nil || t.From.Kind != imagev1.DockerImageKind {
				continue
			}
			p := importPolicy
			p.Insecure = p.Insecure || t.ImportPolicy.Insecure
			p.Scheduled = p.Scheduled || t.ImportPolicy.Scheduled
			plan.spec.Images = append(plan.spec.Images, imageImport(t.From.Name, t.Name, p, policy))
		}
		if len(plan.spec.Images) == 0 {
			return importPlan{}, errors.New("image stream does not have tags pointing to external container images")
		}
		return plan, nil
	}

	tag, err := followAlias(stream, target.tag)
	if err != nil {
		return importPlan{}, err
	}
	existing := specTag(stream, tag)
	switch {
	case existing == nil:
		if from == "" && tag == "latest" && stream.Spec.DockerImageRepository != "" {
			from = stream.Spec.DockerImageRepository
		}
		if from == "" {
			return importPlan{}, fmt.Errorf("the tag %q does not exist on the image stream - choose an existing tag to import or use the 'tag' command to create a new tag", tag)
		}
	case existing.From == nil:
		return importPlan{}, fmt.Errorf("tag %q already exists - you must use the 'tag' command if you want to change the source to %q", tag, from)
	case existing.From.Kind != imagev1.DockerImageKind:
		return importPlan{}, fmt.Errorf("tag %q points to existing %s %q, it cannot be re-imported", tag, existing.From.Kind, existing.From.Name)
	default:
		if from != "" && from != existing.From.Name && !f.confirm {
			return importPlan{}, fmt.Errorf("the tag %q points to %q - use the 'tag' command if you want to change the source to %q", tag, existing.From.Name, from)
		}
		if from == "" {
			from = existing.From.Name
		}
		importPolicy.Insecure = importPolicy.Insecure || existing.ImportPolicy.Insecure
		importPolicy.Scheduled = importPolicy.Scheduled || existing.ImportPolicy.Scheduled
	}
	plan.spec.Images = []imagev1.ImageImportSpec{imageImport(from, tag, importPolicy, policy)}
	return plan, nil
}

// followAlias follows tracking tags of the same stream to the tag that holds the import.
func followAlias(stream *imagev1.ImageStream, tag string) (string, error) {
	t := specTag(stream, tag)
	if t == nil || t.From == nil || t.From.Kind != imagev1.ImageStreamTagKind {
		return tag, nil
	}
	if _, tracking := imagestream.TrackedTag(stream, *t); !tracking {
		if _, _, err := reference.SplitTagReference(t.From.Name); err != nil {
			return "", fmt.Errorf("tag %q points to an invalid imagestreamtag", tag)
		}
		return "", fmt.Errorf("tag %q points to an imagestreamtag from another ImageStream", tag)
	}
	targets, errs := imagestream.ResolveTracking(stream)
	if err := errs[tag]; err != nil {
		return "", err
	}
	return targets[tag], nil
}

// insecureStream reports the stream-wide insecure annotations (ours and OpenShift's).
func insecureStream(is *imagev1.ImageStream) bool {
	return slices.Contains([]string{
		is.Annotations[imagev1.InsecureRepositoryAnnotation], is.Annotations[imagev1.OpenShiftInsecureRepositoryAnnotation],
	}, "true")
}

func imageImport(from, tag string, p imagev1.TagImportPolicy, ref imagev1.TagReferencePolicyType) imagev1.ImageImportSpec {
	return imagev1.ImageImportSpec{
		From:            imagev1.ObjectReference{Kind: imagev1.DockerImageKind, Name: from},
		To:              &imagev1.LocalObjectReference{Name: tag},
		ImportPolicy:    p,
		ReferencePolicy: imagev1.TagReferencePolicy{Type: ref},
	}
}

func repositoryPlan(plan importPlan, from string, p imagev1.TagImportPolicy, ref imagev1.TagReferencePolicyType) (importPlan, error) {
	r, err := reference.Parse(from)
	if err != nil {
		return importPlan{}, fmt.Errorf("invalid --from %q: %w", from, err)
	}
	if r.Tag != "" || r.ID != "" {
		return importPlan{}, errors.New("you must specify an image repository, not a tag or ID")
	}
	plan.spec.Repository = &imagev1.RepositoryImportSpec{
		From:            imagev1.ObjectReference{Kind: imagev1.DockerImageKind, Name: r.Exact()},
		ImportPolicy:    p,
		ReferencePolicy: imagev1.TagReferencePolicy{Type: ref},
	}
	return plan, nil
}
