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
