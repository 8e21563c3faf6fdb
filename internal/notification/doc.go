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

// Package notification is the operator's receiver of registry notifications: CNCF
// Distribution push events record the pushed tag in the stream named after the repository
// (the ImageStreamMapping equivalent of OpenShift's integrated registry), and Docker Hub,
// Harbor and Quay webhooks, or a generic re-check call, request a re-import of the streams
// whose tags come from a repository. The receiver never trusts what a payload says about an
// image: it only names what to look at, and the ImageStream reconciler imports it from the
// registry. It writes metadata only (annotations, and a new empty stream when asked to),
// never status and never spec.
package notification
