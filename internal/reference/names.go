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

package reference

import (
	"fmt"
	"strings"
)

// ParseImageStreamTagName splits the name of an ImageStreamTag,
// "<stream>:<tag>", into the stream name and the tag. A name containing '@'
// gives the error `"<name>" is an image stream image, not an image stream
// tag`; any other name without exactly one ':' or with an empty stream or
// tag gives ErrInvalidImageStreamTagName.
func ParseImageStreamTagName(name string) (stream, tag string, err error) {
	if strings.Contains(name, "@") {
		return "", "", fmt.Errorf("%q is an image stream image, not an image stream tag", name)
	}
	stream, tag, ok := strings.Cut(name, ":")
	if !ok || stream == "" || tag == "" || strings.Contains(tag, ":") {
		return "", "", ErrInvalidImageStreamTagName
	}
	return stream, tag, nil
}

// ParseImageStreamImageName splits the name of an ImageStreamImage,
// "<stream>@<id>", into the stream name and the image ID (a digest or a
// prefix of one). A name without exactly one '@' or with an empty stream or
// ID gives ErrInvalidImageStreamImageName.
func ParseImageStreamImageName(name string) (stream, id string, err error) {
	stream, id, ok := strings.Cut(name, "@")
	if !ok || stream == "" || id == "" || strings.Contains(id, "@") {
		return "", "", ErrInvalidImageStreamImageName
	}
	return stream, id, nil
}

// SplitTagReference splits the from.name of a spec tag of kind
// ImageStreamTag: "<tag>" refers to a tag of the same stream and gives an
// empty stream, "<stream>:<tag>" to a tag of another stream. More than one
// ':', any '@', or an empty stream or tag gives ErrInvalidFromReference.
func SplitTagReference(name string) (stream, tag string, err error) {
	if name == "" || strings.Contains(name, "@") || strings.Count(name, ":") > 1 {
		return "", "", ErrInvalidFromReference
	}
	stream, tag, ok := strings.Cut(name, ":")
	if !ok {
		return "", name, nil
	}
	if stream == "" || tag == "" {
		return "", "", ErrInvalidFromReference
	}
	return stream, tag, nil
}

// SplitImageReference splits the from.name of a spec tag of kind
// ImageStreamImage: "<id>" refers to an image of the same stream and gives
// an empty stream, "<stream>@<id>" to an image of another stream. The ID is
// a digest such as "sha256:<hex>" or a prefix of one and is not validated
// further. More than one '@' or ':', a ':' in the stream, or an empty stream
// or ID gives ErrInvalidFromReference.
func SplitImageReference(name string) (stream, id string, err error) {
	if name == "" || strings.Count(name, "@") > 1 || strings.Count(name, ":") > 1 {
		return "", "", ErrInvalidFromReference
	}
	stream, id, ok := strings.Cut(name, "@")
	if !ok {
		return "", name, nil
	}
	if stream == "" || id == "" || strings.Contains(stream, ":") {
		return "", "", ErrInvalidFromReference
	}
	return stream, id, nil
}
