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

// Package reference parses container image pull specs and the names of the
// image stream sub-resources the way OpenShift does.
//
// The pull spec grammar and the error messages follow OpenShift's
// library-go (pkg/image/reference) so that references accepted or rejected
// by an OpenShift cluster are accepted or rejected here too. The package
// also splits ImageStreamTag and ImageStreamImage names ("<stream>:<tag>",
// "<stream>@<id>") and the from.name of spec tags, and converts image
// digests to and from the Kubernetes object names of Image resources.
//
// The package uses only the standard library.
package reference
